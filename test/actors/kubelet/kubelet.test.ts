import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor } from 'xstate'
import { allocatableFor, kubeletMachine, type KubeletCommand, type KubeletFlags, type KubeletInput } from '../../../actors/kubelet/kubelet.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'

const T0 = Date.parse('2025-01-01T00:00:00Z')

interface Harness {
  clock: VirtualClock
  out: { at: number; cmd: KubeletCommand }[]
  times: (type: KubeletCommand['type']) => number[]
  actor: ReturnType<typeof createActor<typeof kubeletMachine>>
}

/** A host that answers every command at once, successfully unless `fail` says otherwise. */
function kubelet(flags?: Partial<KubeletFlags>, fail: (cmd: KubeletCommand, n: number) => false | 'error' | 'notFound' = () => false): Harness {
  const clock = new VirtualClock(T0)
  const input: KubeletInput = {
    nodeName: 'node-1',
    capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    nodeInfo: { operatingSystem: 'linux', architecture: 'amd64', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0' },
    addresses: [{ type: 'InternalIP', address: '10.0.0.7' }, { type: 'Hostname', address: 'node-1' }],
    ...(flags ? { flags } : {}),
    at: clock.now(),
  }
  const actor = createActor(kubeletMachine, { clock, input })
  const out: Harness['out'] = []
  let n = 0
  actor.on('*', (cmd) => {
    out.push({ at: clock.now(), cmd })
    const f = fail(cmd, n++)
    const at = clock.now()
    if (cmd.type === 'RegisterNode') actor.send(f ? { type: 'REGISTER_FAILED', at, message: 'boom' } : { type: 'REGISTERED', at, nodeUid: 'uid-1' })
    if (cmd.type === 'UpdateNodeStatus') actor.send(f ? { type: 'NODE_STATUS_FAILED', at, message: 'boom', notFound: f === 'notFound' } : { type: 'NODE_STATUS_POSTED', at })
    if (cmd.type === 'RenewLease') actor.send(f ? { type: 'LEASE_FAILED', at, message: 'boom' } : { type: 'LEASE_RENEWED', at })
  })
  actor.start()
  return { clock, out, actor, times: (type) => out.filter((o) => o.cmd.type === type).map((o) => o.at - T0) }
}

test('registers the Node with Kubernetes-shaped status, labels and node info', () => {
  const k = kubelet()
  const reg = k.out[0].cmd
  assert.is(reg.type, 'RegisterNode')
  if (reg.type !== 'RegisterNode') return
  const node = reg.node
  assert.is(node.metadata!.name, 'node-1')
  assert.is(node.metadata!.labels!['kubernetes.io/hostname'], 'node-1')
  assert.is(node.metadata!.labels!['kubernetes.io/os'], 'linux')
  const s = node.status!
  assert.equal(
    s.conditions!.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
    ],
  )
  assert.ok(s.conditions!.every((c) => c.lastHeartbeatTime === '2025-01-01T00:00:00Z' && c.lastTransitionTime === '2025-01-01T00:00:00Z'))
  assert.equal(s.capacity, { cpu: '4', memory: '8Gi', pods: '110' })
  assert.equal(s.allocatable, { cpu: '4', memory: `${8 * 1024 * 1024 - 100 * 1024}Ki`, pods: '110' })
  assert.equal(s.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } })
  assert.is(s.nodeInfo!.kubeletVersion, 'v1.32.0-kstate')
  assert.is(s.nodeInfo!.containerRuntimeVersion, 'kstate-process://0.1.0')
  assert.is(s.nodeInfo!.osImage, 'Debian GNU/Linux 12 (bookworm)')
  assert.equal(s.addresses, [{ type: 'InternalIP', address: '10.0.0.7' }, { type: 'Hostname', address: 'node-1' }])
  assert.is(k.actor.getSnapshot().matches('running'), true)
})

test('renews the lease every 10 s with the default 40 s lease duration', () => {
  const k = kubelet()
  k.clock.advance(60_000)
  assert.equal(k.times('RenewLease'), [0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000])
  const last = k.out.filter((o) => o.cmd.type === 'RenewLease').at(-1)!.cmd
  if (last.type !== 'RenewLease') return
  assert.is(last.renewTime, '2025-01-01T00:01:00.000000Z')
  assert.equal(last.lease.spec, { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2025-01-01T00:01:00.000000Z' })
  assert.equal(last.lease.metadata, { name: 'node-1', namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: 'uid-1' }] })
})

test('defaults: status computed every 10 s, posted when the report frequency (5 min) is due, since nothing changed', () => {
  const k = kubelet()
  k.clock.advance(299_999)
  assert.equal(k.times('UpdateNodeStatus'), [])
  k.clock.advance(1)
  assert.equal(k.times('UpdateNodeStatus'), [300_000])
  k.clock.advance(300_000)
  assert.equal(k.times('UpdateNodeStatus'), [300_000, 600_000])
  const st = k.out.filter((o) => o.cmd.type === 'UpdateNodeStatus').at(-1)!.cmd
  if (st.type !== 'UpdateNodeStatus') return
  assert.ok(st.status.conditions!.every((c) => c.lastHeartbeatTime === '2025-01-01T00:10:00Z' && c.lastTransitionTime === '2025-01-01T00:00:00Z'))
})

test('an explicit nodeStatusUpdateFrequency of 10 s posts status every 10 s (report frequency defaults to it)', () => {
  const k = kubelet({ nodeStatusUpdateFrequencyMs: 10_000 })
  k.clock.advance(40_000)
  assert.equal(k.times('UpdateNodeStatus'), [10_000, 20_000, 30_000, 40_000])
})

test('partition healed: when the API shows the node not Ready, status is posted at the next tick, not after 5 min', () => {
  const k = kubelet()
  k.clock.advance(60_000)
  const before = k.times('UpdateNodeStatus').length
  k.actor.send({ type: 'NODE_OBJECT_STALE', at: k.clock.now() })
  k.clock.advance(10_000)
  assert.is(k.times('UpdateNodeStatus').length, before + 1)
  assert.is(k.times('UpdateNodeStatus').at(-1), 70_000)
  // Once posted, back to the report frequency.
  k.clock.advance(60_000)
  assert.is(k.times('UpdateNodeStatus').length, before + 1)
})

test('other flags: status every 4 s, lease duration 8 s → renewed every 2 s', () => {
  const k = kubelet({ nodeStatusUpdateFrequencyMs: 4000, nodeLeaseDurationSeconds: 8 })
  k.clock.advance(8000)
  assert.equal(k.times('UpdateNodeStatus'), [4000, 8000])
  assert.equal(k.times('RenewLease'), [0, 2000, 4000, 6000, 8000])
})

test('registration is retried with back-off 100 ms doubling to 7 s', () => {
  let failures = 0
  const k = kubelet(undefined, (cmd) => (cmd.type === 'RegisterNode' && failures++ < 9 ? 'error' : false))
  k.clock.advance(40_000)
  const t = k.times('RegisterNode')
  const gaps = t.slice(1).map((x, i) => x - t[i])
  assert.equal(gaps, [100, 200, 400, 800, 1600, 3200, 6400, 7000, 7000])
  assert.equal(k.times('RenewLease').slice(0, 2), [t.at(-1), t.at(-1)! + 10_000])
  assert.ok(k.actor.getSnapshot().matches('running'))
})

test('a failed status post is retried at once up to 5 attempts; a deleted Node is registered again', () => {
  const k = kubelet({ nodeStatusUpdateFrequencyMs: 10_000 }, (cmd) => (cmd.type === 'UpdateNodeStatus' ? 'error' : false))
  k.clock.advance(10_000)
  assert.equal(k.times('UpdateNodeStatus'), [10_000, 10_000, 10_000, 10_000, 10_000])
  k.clock.advance(10_000)
  assert.is(k.times('UpdateNodeStatus').length, 10)

  let deleted = true
  const g = kubelet({ nodeStatusUpdateFrequencyMs: 10_000 }, (cmd) => (cmd.type === 'UpdateNodeStatus' && deleted ? ((deleted = false), 'notFound') : false))
  g.clock.advance(10_000)
  assert.equal(g.times('RegisterNode'), [0, 10_000])
  g.clock.advance(10_000)
  assert.equal(g.times('UpdateNodeStatus'), [10_000, 20_000])
})

test('a failed lease renewal is retried after 200 ms, doubling, then back to every 10 s', () => {
  let failures = 0
  const k = kubelet(undefined, (cmd) => (cmd.type === 'RenewLease' && failures < 3 ? (failures++, 'error') : false))
  k.clock.advance(20_000)
  assert.equal(k.times('RenewLease'), [0, 200, 600, 1400, 11_400])
})

test('allocatable keeps a 100Mi memory reserve and leaves unparseable values alone', () => {
  assert.equal(allocatableFor({ memory: '1Gi', cpu: '2' }), { memory: '946176Ki', cpu: '2' })
  assert.equal(allocatableFor({ memory: 'lots' }), { memory: 'lots' })
})

test.run()
