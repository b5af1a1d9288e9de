import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor } from 'xstate'
import { podRequests } from '../../../actors/scheduler/resources.js'
import type { NodeInfo } from '../../../actors/scheduler/framework.js'
import { backoffDuration, buildNodeInfos, lookup, nodeVerdicts, schedulerMachine, tableEntries, tableKeys, type SchedulerCommand, type SchedulerConfig, type SchedulerContext, type Table } from '../../../actors/scheduler/scheduler.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'
import { node, pod } from './builders.js'

type Tables = 'pods' | 'pending' | 'assumed' | 'unschedulable' | 'backoff' | 'decisions' | 'nodes' | 'usage'
type Row<K extends Tables> = SchedulerContext[K] extends Table<infer T> ? T : never

function harness(config?: Partial<SchedulerConfig>) {
  const clock = new VirtualClock()
  const actor = createActor(schedulerMachine, { clock, input: config })
  const commands: SchedulerCommand[] = []
  actor.on('*', (c) => commands.push(c))
  actor.start()
  let rev = 100
  const h = {
    clock,
    actor,
    commands,
    ctx: () => actor.getSnapshot().context,
    get: <K extends Tables>(table: K, key: string) => lookup(actor.getSnapshot().context[table] as Table<Row<K>>, key),
    keys: (table: Tables) => tableKeys(actor.getSnapshot().context[table] as Table<unknown>).sort(),
    nodes: (...ns: Node[]) => ns.forEach((n) => actor.send({ type: 'NODE_UPSERTED', node: n })),
    pod: (p: Pod) => {
      rev += 1
      actor.send({ type: 'POD_UPSERTED', pod: p, rev })
      return rev
    },
    /** Commands emitted since the last call. */
    take: () => commands.splice(0, commands.length),
    binds: () => h.take().filter((c) => c.type === 'BindPod'),
  }
  return h
}

const bind = (name: string, nodeName: string, cause: number): SchedulerCommand => ({ type: 'BindPod', namespace: 'default', name, uid: `uid-${name}`, nodeName, cause })

test('a pending pod and three ready nodes: one BindPod to the least allocated node', () => {
  const h = harness()
  h.nodes(node('n1'), node('n2'), node('n3'))
  h.pod(pod('busy1', { nodeName: 'n1', cpu: '2', memory: '2Gi' }))
  h.pod(pod('busy3', { nodeName: 'n3', cpu: '3', memory: '1Gi' }))
  h.pod(pod('light2', { nodeName: 'n2', cpu: '500m', memory: '512Mi' }))
  assert.equal(h.take(), [])
  const rev = h.pod(pod('web', { cpu: '100m', memory: '64Mi' }))
  assert.equal(h.take(), [bind('web', 'n2', rev)])
  assert.equal(h.get('assumed', 'default/web')?.nodeName, 'n2')
  assert.equal(h.ctx().active, [])
})

test('equal scores: the first node by name, whatever the arrival order', () => {
  const h = harness()
  h.nodes(node('n3'), node('n1'), node('n2'))
  const rev = h.pod(pod('web', { cpu: '100m' }))
  assert.equal(h.take(), [bind('web', 'n1', rev)])
})

test('no feasible node: PodUnschedulable with the FitError message, then a fitting node gets the BindPod', () => {
  const h = harness()
  h.nodes(node('n1', { unschedulable: true }), node('n2', { cpu: '1' }), node('n3', { cpu: '500m' }))
  const rev = h.pod(pod('big', { cpu: '2' }))
  assert.equal(h.take(), [
    { type: 'PodUnschedulable', namespace: 'default', name: 'big', uid: 'uid-big', message: '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.', cause: rev },
  ])
  assert.ok(h.get('unschedulable', 'default/big'))
  // Our own status write comes back as an update with the same spec: no retry, no second report.
  const reported = { ...pod('big', { cpu: '2' }), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } }
  h.pod(reported)
  assert.equal(h.take(), [])
  h.nodes(node('n4', { cpu: '4' }))
  assert.equal(h.take(), [bind('big', 'n4', rev)])
})

test('PodUnschedulable is emitted once per distinct message', () => {
  const h = harness()
  h.nodes(node('n1', { cpu: '1' }))
  h.pod(pod('big', { cpu: '2' }))
  assert.equal(h.take().length, 1)
  h.nodes(node('n1', { cpu: '1', labels: { zone: 'a' } })) // a change, same outcome
  assert.equal(h.take(), [])
  h.nodes(node('n2', { cpu: '1' }))
  const again = h.take()
  assert.equal(again.length, 1)
  assert.is(again[0].type === 'PodUnschedulable' && again[0].message, '0/2 nodes are available: 2 Insufficient cpu.')
})

test('a node made schedulable again takes the waiting pod', () => {
  const h = harness()
  h.nodes(node('n1', { unschedulable: true }))
  const rev = h.pod(pod('web'))
  assert.is(h.take()[0]?.type, 'PodUnschedulable')
  h.nodes(node('n1'))
  assert.equal(h.take(), [bind('web', 'n1', rev)])
})

test('a node update that changes nothing the filters read does not retry waiting pods', () => {
  const h = harness()
  h.nodes(node('n1', { cpu: '1' }))
  h.pod(pod('big', { cpu: '2' }))
  const attempt = h.get('decisions', 'default/big')!.attempt
  const heartbeat = node('n1', { cpu: '1' })
  heartbeat.status!.conditions = [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-01T00:00:10Z' }]
  h.nodes(heartbeat)
  assert.is(h.get('decisions', 'default/big')!.attempt, attempt)
  h.nodes(node('n1', { cpu: '1', memory: '16Gi' }))
  assert.is(h.get('decisions', 'default/big')!.attempt, attempt + 1)
})

test('no nodes at all', () => {
  const h = harness()
  h.pod(pod('web'))
  const [c] = h.take()
  assert.is(c.type === 'PodUnschedulable' && c.message, 'no nodes available to schedule pods')
})

test('cordoned, NotReady and tainted nodes are never chosen, even when emptiest', () => {
  const h = harness()
  h.nodes(
    node('a-cordoned', { unschedulable: true }),
    node('b-notready', { ready: 'False' }),
    node('c-unknown', { ready: 'Unknown' }),
    node('d-tainted', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
    node('z-busy', { cpu: '4' }),
  )
  h.pod(pod('filler', { nodeName: 'z-busy', cpu: '3', memory: '6Gi' }))
  for (let i = 0; i < 5; i++) {
    const rev = h.pod(pod(`p${i}`, { cpu: '100m' }))
    assert.equal(h.take(), [bind(`p${i}`, 'z-busy', rev)])
  }
})

test('a pod that tolerates a taint may land on the tainted node', () => {
  const h = harness()
  h.nodes(node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), node('b'))
  h.pod(pod('filler', { nodeName: 'b', cpu: '2' }))
  const rev = h.pod(pod('gpu', { cpu: '100m', tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }))
  assert.equal(h.take(), [bind('gpu', 'a', rev)])
  const rev2 = h.pod(pod('plain', { cpu: '100m' }))
  assert.equal(h.take(), [bind('plain', 'b', rev2)])
})

test('BIND_FAILED retryable: rebinding only after 1 s, 2 s, 4 s, 8 s, then capped at 10 s', () => {
  const h = harness()
  h.nodes(node('n1'))
  const rev = h.pod(pod('web'))
  assert.equal(h.binds(), [bind('web', 'n1', rev)])
  for (const wait of [1000, 2000, 4000, 8000, 10000, 10000]) {
    h.actor.send({ type: 'BIND_FAILED', key: 'default/web', reason: 'timeout', retryable: true })
    assert.equal(h.keys('assumed'), [])
    assert.ok(h.get('backoff', 'default/web'))
    h.clock.advance(wait - 1)
    assert.equal(h.binds(), [], `nothing before ${wait} ms`)
    h.clock.advance(1)
    assert.equal(h.binds(), [bind('web', 'n1', rev)], `rebound at ${wait} ms`)
  }
})

test('backoffDuration: 1 s doubling, capped at 10 s', () => {
  const cfg = { podInitialBackoffDuration: 1000, podMaxBackoffDuration: 10000 }
  assert.equal([1, 2, 3, 4, 5, 6, 20].map((n) => backoffDuration(n, cfg)), [1000, 2000, 4000, 8000, 10000, 10000, 10000])
})

test('a successful binding resets the backoff', () => {
  const h = harness()
  h.nodes(node('n1'))
  h.pod(pod('web'))
  h.actor.send({ type: 'BIND_FAILED', key: 'default/web', reason: 'timeout', retryable: true })
  h.clock.advance(1000)
  h.actor.send({ type: 'BIND_SUCCEEDED', key: 'default/web' })
  assert.is(h.get('pending', 'default/web')?.attempts, 0)
})

test('two pods, one node with room for one: exactly one bound (the assumption counts)', () => {
  const h = harness()
  h.nodes(node('n1', { cpu: '1' }))
  const ra = h.pod(pod('a', { cpu: '600m' }))
  h.pod(pod('b', { cpu: '600m' }))
  const out = h.take()
  assert.equal(out.filter((c) => c.type === 'BindPod'), [bind('a', 'n1', ra)])
  assert.equal(out.filter((c) => c.type === 'PodUnschedulable').map((c) => c.type === 'PodUnschedulable' && c.message), ['0/1 nodes are available: 1 Insufficient cpu.'])
  // The binding comes back through the informer: still no room for b.
  h.actor.send({ type: 'BIND_SUCCEEDED', key: 'default/a' })
  h.pod(pod('a', { cpu: '600m', nodeName: 'n1' }))
  h.clock.advance(60_000)
  assert.equal(h.binds(), [])
  assert.equal(h.keys('assumed'), [])
})

test('a failed binding releases the room it held', () => {
  const h = harness()
  h.nodes(node('n1', { cpu: '1' }))
  h.pod(pod('a', { cpu: '600m' }))
  const rb = h.pod(pod('b', { cpu: '600m' }))
  h.take()
  h.actor.send({ type: 'BIND_FAILED', key: 'default/a', reason: 'timeout', retryable: true })
  assert.equal(h.binds(), [bind('b', 'n1', rb)])
})

test('a pod leaving a node frees room for an unschedulable pod', () => {
  const h = harness()
  h.nodes(node('n1', { cpu: '1' }))
  h.pod(pod('old', { cpu: '1', nodeName: 'n1' }))
  const rev = h.pod(pod('new', { cpu: '1' }))
  assert.is(h.take()[0]?.type, 'PodUnschedulable')
  h.actor.send({ type: 'POD_REMOVED', key: 'default/old' })
  assert.equal(h.binds(), [bind('new', 'n1', rev)])
})

test('a pod that completed frees its room', () => {
  const h = harness()
  h.nodes(node('n1', { cpu: '1' }))
  h.pod(pod('job', { cpu: '1', nodeName: 'n1', phase: 'Running' }))
  const rev = h.pod(pod('next', { cpu: '1' }))
  h.take()
  h.pod(pod('job', { cpu: '1', nodeName: 'n1', phase: 'Succeeded' }))
  assert.equal(h.binds(), [bind('next', 'n1', rev)])
})

test('a pod bound elsewhere than assumed frees the assumed node', () => {
  const h = harness()
  h.nodes(node('n1', { cpu: '1' }), node('n2', { cpu: '1', unschedulable: true }))
  h.pod(pod('a', { cpu: '1' }))
  const rb = h.pod(pod('b', { cpu: '1' }))
  assert.equal(h.take().map((c) => c.type), ['BindPod', 'PodUnschedulable'])
  h.pod(pod('a', { cpu: '1', nodeName: 'n2' })) // another binder won
  assert.equal(h.binds(), [bind('b', 'n1', rb)])
})

test('a pod deleted while its binding is in flight frees the assumed node', () => {
  const h = harness()
  h.nodes(node('n1', { cpu: '1' }))
  h.pod(pod('a', { cpu: '1' }))
  const rb = h.pod(pod('b', { cpu: '1' }))
  h.take()
  h.pod(pod('a', { cpu: '1', deleting: true }))
  assert.equal(h.binds(), [bind('b', 'n1', rb)])
})

test('a pod deleted while backing off is never bound', () => {
  const h = harness()
  h.nodes(node('n1'))
  h.pod(pod('web'))
  h.take()
  h.actor.send({ type: 'BIND_FAILED', key: 'default/web', reason: 'timeout', retryable: true })
  h.actor.send({ type: 'POD_REMOVED', key: 'default/web' })
  h.clock.advance(60_000)
  assert.equal(h.take(), [])
  assert.equal(h.keys('pending'), [])
  assert.equal(h.keys('backoff'), [])
})

test('a pod deleted while unschedulable is never bound', () => {
  const h = harness()
  h.nodes(node('n1', { cpu: '1' }))
  h.pod(pod('big', { cpu: '2' }))
  h.take()
  h.actor.send({ type: 'POD_REMOVED', key: 'default/big' })
  h.nodes(node('n2', { cpu: '8' }))
  h.clock.advance(10 * 60_000)
  assert.equal(h.take(), [])
})

test('a pod being deleted (deletionTimestamp) is not scheduled', () => {
  const h = harness()
  h.nodes(node('n1'))
  h.pod(pod('gone', { deleting: true }))
  assert.equal(h.take(), [])
  assert.equal(h.ctx().active, [])
})

test('a pod of another scheduler is left alone', () => {
  const h = harness()
  h.nodes(node('n1'))
  h.pod(pod('other', { schedulerName: 'my-scheduler' }))
  assert.equal(h.take(), [])
  const rev = h.pod(pod('mine', { schedulerName: 'default-scheduler' }))
  assert.equal(h.take(), [bind('mine', 'n1', rev)])
})

test('a pod bound by other means is dropped from the queues', () => {
  const h = harness()
  h.nodes(node('n1'))
  h.pod(pod('web'))
  h.take()
  h.actor.send({ type: 'BIND_FAILED', key: 'default/web', reason: 'timeout', retryable: true })
  h.pod(pod('web', { nodeName: 'n1' }))
  h.clock.advance(60_000)
  assert.equal(h.take(), [])
  assert.equal([h.keys('pending'), h.keys('backoff'), h.ctx().active, h.keys('assumed'), h.keys('unschedulable')], [[], [], [], [], []])
})

test('BIND_FAILED not retryable: no retry until the informer brings a new version', () => {
  const h = harness()
  h.nodes(node('n1'))
  h.pod(pod('web'))
  h.take()
  h.actor.send({ type: 'BIND_FAILED', key: 'default/web', reason: 'conflict', retryable: false })
  h.clock.advance(60_000)
  assert.equal(h.take(), [])
  const rev = h.pod(pod('web', { cpu: '100m' }))
  assert.equal(h.binds(), [bind('web', 'n1', rev)])
})

test('BIND_FAILED not retryable after the informer already brought a new version: retried after backoff', () => {
  const h = harness()
  h.nodes(node('n1'))
  const first = h.pod(pod('web'))
  h.take()
  h.pod(pod('web', { cpu: '100m' })) // arrives while the binding is in flight
  assert.equal(h.take(), [])
  h.actor.send({ type: 'BIND_FAILED', key: 'default/web', reason: 'conflict', retryable: false })
  h.clock.advance(999)
  assert.equal(h.take(), [])
  h.clock.advance(1)
  assert.equal(h.binds(), [bind('web', 'n1', first)])
})

test('a stale BIND_FAILED for a replaced pod (other uid) is ignored', () => {
  const h = harness()
  h.nodes(node('n1'))
  h.pod(pod('web'))
  h.take()
  h.actor.send({ type: 'BIND_FAILED', key: 'default/web', uid: 'some-older-uid', reason: 'x', retryable: true })
  assert.equal(h.get('assumed', 'default/web')?.nodeName, 'n1')
})

test('unschedulable pods move back on node changes; higher priority first', () => {
  const h = harness()
  h.nodes(node('n1', { cpu: '1' }))
  h.pod(pod('low', { cpu: '2', priority: 1 }))
  const rh = h.pod(pod('high', { cpu: '2', priority: 1000 }))
  h.take()
  h.nodes(node('n2', { cpu: '3' }))
  const out = h.take()
  assert.equal(out.filter((c) => c.type === 'BindPod'), [bind('high', 'n2', rh)])
  assert.ok(h.get('unschedulable', 'default/low'))
})

test('an unschedulable pod is retried after podMaxInUnschedulablePodsDuration', () => {
  const h = harness({ podMaxInUnschedulablePodsDuration: 300_000 })
  h.nodes(node('n1', { cpu: '1' }))
  h.pod(pod('big', { cpu: '2' }))
  const first = h.get('decisions', 'default/big')!.attempt
  h.clock.advance(299_999)
  assert.is(h.get('decisions', 'default/big')!.attempt, first)
  h.clock.advance(1)
  assert.ok(h.get('decisions', 'default/big')!.attempt > first)
  assert.equal(h.take().length, 1, 'same message is not reported again')
})

test('decisions: per node the rejecting plugin or the scores, bounded', () => {
  const h = harness({ decisionHistory: 2 })
  h.nodes(node('n1', { unschedulable: true }), node('n2'))
  h.pod(pod('a', { cpu: '100m', memory: '64Mi' }))
  const d = h.get('decisions', 'default/a')!
  assert.equal(nodeVerdicts(d), {
    n1: { rejectedBy: 'NodeUnschedulable', reasons: ['node(s) were unschedulable'] },
    n2: { scores: { NodeResourcesFit: 98 }, total: 98 },
  })
  assert.equal(d.outcome, { nodeName: 'n2' })
  h.actor.send({ type: 'BIND_FAILED', key: 'default/a', reason: 'etcd timeout', retryable: true })
  assert.is(h.get('decisions', 'default/a')!.bindError, 'etcd timeout')
  h.pod(pod('b'))
  h.pod(pod('c'))
  assert.equal(h.keys('decisions'), ['default/b', 'default/c'])
  assert.equal(h.ctx().decisionOrder, ['default/b', 'default/c'])
})

test('stopping the actor disarms its timers', () => {
  const h = harness()
  h.nodes(node('n1'))
  h.pod(pod('web'))
  h.actor.send({ type: 'BIND_FAILED', key: 'default/web', reason: 'timeout', retryable: true })
  assert.ok(h.clock.pending > 0)
  h.actor.stop()
  h.take()
  h.clock.advance(60_000)
  assert.equal(h.take(), [])
})

/** A small deterministic PRNG (mulberry32): the same seed gives the same run. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

test('invariants over random runs: usage matches the pods counted, no node overcommitted, one binding in flight per pod', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rnd = prng(seed)
    const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]
    const h = harness()
    const inFlight = new Map<string, { node: string; pod: Pod }>()
    const live = new Map<string, Pod>()
    let n = 0
    for (let step = 0; step < 400; step++) {
      const op = rnd()
      if (op < 0.3) {
        const name = `p${n++}`
        const p = pod(name, { cpu: pick(['100m', '300m', '700m', '1500m']), memory: pick(['64Mi', '256Mi', '1Gi']) })
        live.set(`default/${name}`, p)
        h.pod(p)
      } else if (op < 0.45 && inFlight.size > 0) {
        const [key, { node: on, pod: p }] = pick([...inFlight])
        inFlight.delete(key)
        h.actor.send({ type: 'BIND_SUCCEEDED', key })
        const bound = { ...p, spec: { ...p.spec!, nodeName: on } }
        live.set(key, bound)
        h.pod(bound)
      } else if (op < 0.55 && inFlight.size > 0) {
        const [key] = pick([...inFlight])
        inFlight.delete(key)
        h.actor.send({ type: 'BIND_FAILED', key, reason: 'timeout', retryable: rnd() < 0.8 })
      } else if (op < 0.65 && live.size > 0) {
        const [key] = pick([...live])
        live.delete(key)
        inFlight.delete(key)
        h.actor.send({ type: 'POD_REMOVED', key })
      } else if (op < 0.75) {
        const name = pick(['n1', 'n2', 'n3'])
        if (rnd() < 0.3) h.actor.send({ type: 'NODE_REMOVED', name })
        else h.nodes(node(name, { cpu: '2', memory: '4Gi', pods: '8', unschedulable: rnd() < 0.2 }))
      } else {
        h.clock.advance(Math.floor(rnd() * 5000))
      }
      for (const c of h.take()) {
        if (c.type !== 'BindPod') continue
        const key = `${c.namespace}/${c.name}`
        assert.not.ok(inFlight.has(key), `seed ${seed} step ${step}: second BindPod for ${key} while one is in flight`)
        inFlight.set(key, { node: c.nodeName, pod: live.get(key)! })
      }
      const ctx = h.ctx()
      assert.equal(ctx.active, [], 'a cycle drains the active queue')
      const usage = new Map<string, { pods: number; cpu: number; mem: number }>()
      for (const [key, entry] of tableEntries(ctx.pods)) {
        const want = entry.pod.spec?.nodeName ?? lookup(ctx.assumed, key)?.nodeName
        assert.is(entry.countedOn, want, `seed ${seed} step ${step}: ${key} counted on ${entry.countedOn}, want ${want}`)
        if (!want) continue
        const u = usage.get(want) ?? { pods: 0, cpu: 0, mem: 0 }
        const r = podRequests(entry.pod)
        usage.set(want, { pods: u.pods + 1, cpu: u.cpu + r.milliCpu, mem: u.mem + r.memory })
      }
      const kept = Object.fromEntries(tableEntries(ctx.usage).map(([k, u]) => [k, { pods: u.pods, cpu: u.requested.milliCpu, mem: u.requested.memory }]))
      assert.equal(kept, Object.fromEntries(usage), `seed ${seed} step ${step}: usage`)
      // The NodeInfos kept in context are what the nodes and their usage make.
      const infoView = (i: NodeInfo) => [i.name, i.node, i.podCount, i.requested, i.nonZeroRequested, i.allocatable]
      assert.equal(ctx.nodeInfos.map(infoView), buildNodeInfos(ctx).map(infoView), `seed ${seed} step ${step}: node infos`)
      for (const [name, u] of usage) {
        assert.ok(u.pods <= 8 && u.cpu <= 2000 && u.mem <= 4 * 1024 ** 3, `seed ${seed} step ${step}: ${name} overcommitted ${JSON.stringify(u)}`)
      }
    }
  }
})

test.run()
