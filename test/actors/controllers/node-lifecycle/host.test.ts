/**
 * The node lifecycle host on a real nats-server (the lease bucket), with in-memory informers, a
 * recording api client and the virtual clock for everything the controller times.
 */
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import type { Node, NodeCondition, Pod } from 'kubernetes-types/core/v1.js'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { rfc3339 } from '../../../../actors/controllers/node-lifecycle/node.js'
import { lookup } from '../../../../actors/controllers/node-lifecycle/controller.js'
import { encode, encodeToken, failureStatus, LEASE_BUCKET, type ApiRequest, type ApiResponse, type LogEvent, type RequestContext } from '../../../../events/index.js'
import { VirtualClock } from '../../../../runtime/clock/virtual-clock.js'
import { startNodeLifecycleController, type NodeLifecycleHost } from '../../../../runtime/controllers/node-lifecycle-host.js'
import { logger, setLogLevel, setLogSink } from '../../../../runtime/log.js'
import { connectNats } from '../../../../runtime/nats/connect.js'
import { startNatsServer, type RunningNatsServer } from '../../../../runtime/nats/server.js'
import { removeDir } from '../../../e2e/cluster.js'
import { KUBELET_CONDITIONS, T0 } from './sim.js'
import { FakeInformer } from '../../../support/fake-informer.js'


setLogLevel('info')
const dir = mkdtempSync(join(tmpdir(), 'kstate-nlc-'))
let server: RunningNatsServer
let nc: NatsConnection
let kv: KV
let bucket = 0

test.before(async () => {
  server = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'pid'), passwords: { controlPlane: 'cp', node: 'n' }, log: logger('test') })
  nc = await connectNats({ url: server.url, user: 'control-plane', pass: 'cp' }, 'test')
  kv = await new Kvm(nc).create(LEASE_BUCKET, { history: 1 })
})
test.after(async () => {
  await nc.drain()
  await server.stop()
  removeDir(dir)
})

/** Waits (real time, bounded) until `check` holds, letting NATS deliveries and promises run. */
async function until<T>(check: () => T | undefined | false, what: string, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r))
}

function leaseOf(name: string, renewTime: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date(renewTime).toISOString().replace(/Z$/, '000Z') },
  }
}

function nodeOf(name: string, conditions: NodeCondition[]): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.kubernetes.io/zone': 'a' }, creationTimestamp: rfc3339(T0) }, spec: {}, status: { conditions } }
}

interface Harness {
  host: NodeLifecycleHost
  clock: VirtualClock
  nodes: FakeInformer<Node>
  pods: FakeInformer<Pod>
  requests: { request: ApiRequest; context?: Partial<RequestContext>; at: number }[]
  lines: string[]
  /** Answers before the api applies the request; return a response to refuse it. */
  refuse: (r: ApiRequest) => ApiResponse | undefined
}

/** An api that applies node requests to the informers like the api-server and its projection would. */
async function setup(names: string[], opts: { pods?: Pod[] } = {}): Promise<Harness> {
  const log = { rev: 0 }
  const nodes = new FakeInformer<Node>(false, log, { stampResourceVersion: true })
  const pods = new FakeInformer<Pod>(true, log, { stampResourceVersion: true })
  for (const n of names) nodes.put(nodeOf(n, KUBELET_CONDITIONS('True', T0)), 'NodeRegistered')
  for (const p of opts.pods ?? []) pods.put(p, 'PodCreated')
  const clock = new VirtualClock(T0)
  const lines: string[] = []
  setLogSink((l) => lines.push(l))
  const h = { clock, nodes, pods, lines, requests: [], refuse: () => undefined } as unknown as Harness
  const ok = (rev: number): ApiResponse => ({ ok: true, code: 200, object: {}, rev })
  const api = {
    request: async (request: ApiRequest, context?: Partial<RequestContext>): Promise<ApiResponse> => {
      h.requests.push({ request, context, at: clock.now() })
      const refused = h.refuse(request)
      if (refused) return refused
      if (request.verb === 'setNodeConditions') {
        const node = nodes.get(request.name)!
        const merged = (node.status?.conditions ?? []).map((c) => request.conditions.find((x) => x.type === c.type) ?? c)
        return ok(nodes.put({ ...node, status: { ...node.status, conditions: merged } }, 'NodeConditionChanged'))
      }
      if (request.verb === 'taint') {
        const node = nodes.get(request.name)!
        let taints = (node.spec?.taints ?? []).filter((t) => !(request.remove && t.key === request.remove.key && t.effect === request.remove.effect))
        if (request.add) taints = [...taints.filter((t) => t.key !== request.add!.key), request.add]
        return ok(nodes.put({ ...node, spec: { ...node.spec, taints } }, request.add ? 'NodeTainted' : 'NodeUntainted'))
      }
      if (request.verb === 'updateStatus' && request.resource === 'pods') {
        const key = `${request.namespace}/${request.name}`
        const pod = pods.get(key)!
        if (request.resourceVersion && request.resourceVersion !== pod.metadata?.resourceVersion) return { ok: false, status: failureStatus('Conflict', 'stale') }
        return ok(pods.put({ ...pod, status: request.status as Pod['status'] }, 'PodStatusUpdated'))
      }
      return ok(0)
    },
  }
  // Each test gets its own lease keys (one bucket for the file).
  h.host = await startNodeLifecycleController({ api, nodes, pods, nc, clock, log: logger('node-controller'), flags: { nodeMonitorGracePeriodMs: 40_000 } })
  return h
}

/** Leases an hour ahead for the other nodes of the zone, so the zone stays Normal. */
async function keepAlive(h: Harness, ...names: string[]): Promise<void> {
  for (const n of names) await kv.put(encodeToken(n), encode(leaseOf(n, T0 + 3_600_000)))
  // The controller records leases; a Ready node's machine gets its lease with the next tick.
  await until(() => names.every((n) => lookup(h.host.actor.getSnapshot().context.leases, n) === T0 + 3_600_000), 'keep-alive leases delivered')
}

test('leases from the bucket keep a node alive; when they stop: setNodeConditions, then the taint, as system:node-controller with the causal revisions', async () => {
  const name = `lease-${++bucket}`
  const h = await setup([name, `${name}-b`, `${name}-c`])
  h.clock.advance(0)
  await keepAlive(h, `${name}-b`, `${name}-c`)
  await kv.put(encodeToken(name), encode(leaseOf(name, T0 + 30_000)))
  await until(() => lookup(h.host.actor.getSnapshot().context.leases, name) === T0 + 30_000, 'lease delivered to the controller')
  h.clock.advance(65_000) // heartbeat at T0 → would be Unknown at 45 s without the lease; lease at 30 s → at 75 s
  await flush()
  assert.is(h.requests.filter((r) => r.request.verb === 'setNodeConditions' && r.request.name === name).length, 0)
  const nodeRev = Number(h.nodes.get(name)!.metadata!.resourceVersion)
  h.clock.advance(10_000)
  const write = await until(() => h.requests.find((r) => r.request.verb === 'setNodeConditions' && r.request.name === name), 'setNodeConditions')
  assert.is(write.at, T0 + 75_000)
  assert.equal(write.context, { user: 'system:node-controller', cause: nodeRev })
  assert.ok(write.request.verb === 'setNodeConditions' && write.request.reason === 'NodeStatusUnknown')
  const taint = await until(() => h.requests.find((r) => r.request.verb === 'taint' && r.request.name === name), 'taint')
  const conditionRev = Number(h.nodes.get(name)!.metadata!.resourceVersion) - 1
  assert.equal(taint.context, { user: 'system:node-controller', cause: conditionRev })
  assert.ok(taint.request.verb === 'taint')
  if (taint.request.verb === 'taint') {
    assert.equal(taint.request.add, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: rfc3339(T0 + 75_000) })
    assert.is(taint.request.remove, undefined)
  }
  // One log line per transition, under the node's actor id.
  await until(() => h.lines.some((l) => l.includes(`node-controller/${name} health ready → unknown`)), 'health log line')
  assert.ok(h.lines.some((l) => l.includes(`node-controller/${name} taint awaitingTaint → tainted.unreachable`)), h.lines.join('\n'))
  assert.is(h.lines.filter((l) => l.includes(`node-controller/${name} health`)).length, 1)
  await h.host.stop()
})

test('MarkPodsNotReady: updateStatus of each pod on the node, Ready False, the rest of the status kept, with its resourceVersion', async () => {
  const name = `pods-${++bucket}`
  const ready = { type: 'Ready', status: 'True', lastTransitionTime: rfc3339(T0) }
  const pod = (n: string, node: string, conditions = [ready]): Pod => ({
    metadata: { name: n, namespace: 'default' },
    spec: { nodeName: node, containers: [] },
    status: { phase: 'Running', podIP: '10.0.0.9', conditions: [{ type: 'PodScheduled', status: 'True' }, ...conditions] },
  })
  const h = await setup([name, `${name}-b`, `${name}-c`], {
    pods: [pod('web-1', name), pod('web-2', name), pod('other', `${name}-b`), pod('no-ready', name, []), pod('already', name, [{ ...ready, status: 'False' }])],
  })
  h.clock.advance(0)
  await keepAlive(h, `${name}-b`, `${name}-c`)
  h.clock.advance(45_001)
  await until(() => h.requests.filter((r) => r.request.verb === 'updateStatus').length === 2, 'two pod updates')
  await flush()
  const updates = h.requests.filter((r) => r.request.verb === 'updateStatus')
  assert.equal(updates.map((u) => (u.request.verb === 'updateStatus' ? u.request.name : '')).sort(), ['web-1', 'web-2'])
  const u = updates[0]
  assert.ok(u.request.verb === 'updateStatus')
  if (u.request.verb !== 'updateStatus') return
  // Compare-and-set on the version read: nodes are revisions 1-3, the pods 4-8 in the order given.
  assert.equal(Object.fromEntries(updates.map((x) => (x.request.verb === 'updateStatus' ? [x.request.name, x.request.resourceVersion] : []))), { 'web-1': '4', 'web-2': '5' })
  assert.equal(u.request.status, {
    phase: 'Running',
    podIP: '10.0.0.9',
    conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', lastTransitionTime: rfc3339(T0 + 45_001) }],
  })
  assert.equal(u.context, { user: 'system:node-controller', cause: 1 })
  await h.host.stop()
})

test('a refused request is retried with backoff on the clock, then handed back to the machine, which asks again next pass', async () => {
  const name = `retry-${++bucket}`
  const h = await setup([name, `${name}-b`, `${name}-c`])
  let refusals = 6
  h.refuse = (r) => (r.verb === 'taint' && refusals-- > 0 ? { ok: false, status: failureStatus('ServiceUnavailable', 'try later') } : undefined)
  h.clock.advance(0)
  await keepAlive(h, `${name}-b`, `${name}-c`)
  h.clock.advance(45_000)
  await until(() => h.requests.some((r) => r.request.verb === 'taint'), 'first taint attempt')
  for (const ms of [100, 200, 400, 800]) {
    await flush()
    h.clock.advance(ms)
  }
  await until(() => h.requests.filter((r) => r.request.verb === 'taint').length === 5, 'five attempts')
  const times = h.requests.filter((r) => r.request.verb === 'taint').map((r) => r.at - T0 - 45_000)
  assert.equal(times, [0, 100, 300, 700, 1_500])
  await flush()
  assert.ok(h.lines.some((l) => l.includes('tainting failed') && l.includes('next monitor pass')), 'the give-up is logged')
  // The machine requests again at the next pass; the zone's token was spent, so 10 s after the first.
  h.clock.advance(10_000)
  await until(() => h.requests.filter((r) => r.request.verb === 'taint').length === 6, 'asked again')
  await flush()
  h.clock.advance(100)
  await until(() => h.nodes.get(name)!.spec?.taints?.length === 1, 'tainted in the end')
  assert.is(h.requests.filter((r) => r.request.verb === 'taint').length, 7)
  await h.host.stop()
})

test('a refused Unknown verdict is not re-sent: heartbeats that resume before the next pass keep the node Ready', async () => {
  const name = `stale-${++bucket}`
  const h = await setup([name, `${name}-b`, `${name}-c`])
  let refusals = 1
  h.refuse = (r) => (r.verb === 'setNodeConditions' && refusals-- > 0 ? { ok: false, status: failureStatus('ServiceUnavailable', 'partitioned') } : undefined)
  h.clock.advance(0)
  await keepAlive(h, `${name}-b`, `${name}-c`)
  h.clock.advance(45_000)
  await until(() => h.requests.some((r) => r.request.verb === 'setNodeConditions'), 'the Unknown verdict is attempted')
  await flush()
  // The partition heals: the node's lease arrives before the next monitor pass.
  await kv.put(encodeToken(name), encode(leaseOf(name, T0 + 45_500)))
  await until(() => lookup(h.host.actor.getSnapshot().context.leases, name) === T0 + 45_500, 'fresh lease recorded')
  for (let i = 0; i < 4; i++) {
    h.clock.advance(5_000)
    await flush()
  }
  assert.is(h.requests.filter((r) => r.request.verb === 'setNodeConditions').length, 1, 'the stale verdict was not retried')
  assert.is(h.nodes.get(name)!.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'True')
  assert.not.ok(h.requests.some((r) => r.request.verb === 'taint'), 'no taint either')
  await h.host.stop()
})

test('stop() ends the lease watch and the pending retries', async () => {
  const name = `stop-${++bucket}`
  const h = await setup([name])
  h.refuse = () => ({ ok: false, status: failureStatus('ServiceUnavailable', 'down') })
  h.clock.advance(45_000)
  await until(() => h.requests.length > 0, 'a request')
  await h.host.stop()
  const n = h.requests.length
  h.clock.advance(60_000)
  await kv.put(encodeToken(name), encode(leaseOf(name, T0 + 100_000)))
  await flush()
  assert.is(h.requests.length, n)
  assert.is(h.host.actor.getSnapshot().status, 'stopped')
})

test.run()
