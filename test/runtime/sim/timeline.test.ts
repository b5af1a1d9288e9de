/**
 * The default node-failure timeline, end to end through every controller, in simulated seconds:
 * a node goes silent → Unknown after the 40 s grace → unreachable taint → its pods evicted 300 s
 * later → the ReplicaSet's replacements scheduled and Running elsewhere.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'
import { logger, setLogLevel } from '../../../runtime/log.js'
import { startSimCluster, type SimCluster } from '../../../runtime/sim/sim-cluster.js'

setLogLevel('error')
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)

const rs = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } } },
})

let clock: VirtualClock
let sim: SimCluster

test.before(async () => {
  clock = new VirtualClock(T0)
  sim = await startSimCluster({ clock, nodes: 6, zoneSize: 6, log: logger('sim') })
  const r = await sim.api.request({ verb: 'create', resource: 'replicasets', namespace: 'default', object: rs(12) }, { user: 'admin' })
  assert.ok(r.ok, JSON.stringify(r))
  await sim.run(30_000)
})
test.after(async () => {
  await sim.stop()
})

const secondsSince = (t: number, ms: number) => (ms - t) / 1000
const eventsOf = (type: string) => sim.api.log.map((e, i) => ({ ...e, rev: i + 1 })).filter((e) => e.event.type === type)

test('twelve replicas run across the six nodes', () => {
  const running = sim.store.pods.list().filter((p) => p.status?.phase === 'Running')
  assert.is(running.length, 12)
  assert.is(new Set(running.map((p) => p.spec?.nodeName)).size, 6)
})

test('silent node: Unknown after ~40 s, tainted at once, pods evicted 300 s later and replaced', async () => {
  const victim = sim.nodes.names[2]
  const onVictim = new Set(sim.store.pods.list().filter((p) => p.spec?.nodeName === victim).map((p) => p.metadata!.name!))
  assert.ok(onVictim.size > 0)
  const silencedAt = clock.now()
  sim.nodes.silence(victim)
  await sim.run(600_000, 1_000)

  const cond = eventsOf('NodeConditionChanged').find((e) => e.subject.endsWith(victim))!
  assert.ok(cond, 'NodeConditionChanged recorded')
  const unknownAfter = secondsSince(silencedAt, cond.event.at)
  // The last renewal was up to 10 s before the silence; the monitor checks every 5 s.
  assert.ok(unknownAfter >= 30 && unknownAfter <= 46, `Unknown after ${unknownAfter} s`)
  assert.is(sim.store.nodes.get(victim)!.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'Unknown')

  const taint = eventsOf('NodeTainted').find((e) => e.subject.endsWith(victim))!
  assert.is((taint.event.data as { taint: { key: string } }).taint.key, 'node.kubernetes.io/unreachable')
  assert.is(taint.event.cause, cond.rev)
  assert.ok(secondsSince(cond.event.at, taint.event.at) <= 10, 'tainted right after (rate limit permitting)')

  const evictions = eventsOf('PodEvicted')
  assert.equal(new Set(evictions.map((e) => e.subject.split('.').pop())), onVictim)
  for (const e of evictions) {
    assert.is(e.event.cause, taint.rev)
    const after = secondsSince(taint.event.at, e.event.at)
    assert.ok(after >= 299 && after <= 302, `evicted ${after} s after the taint`)
  }

  const active = sim.store.pods.list().filter((p) => !p.metadata?.deletionTimestamp)
  assert.is(active.length, 12)
  assert.ok(active.every((p) => p.spec?.nodeName !== victim && p.status?.phase === 'Running'))
  // Replacements point back at the eviction that caused them.
  const evictedRevs = new Set(evictions.map((e) => e.rev))
  const replacements = eventsOf('PodCreated').filter((e) => e.event.by === 'system:replicaset-controller' && evictedRevs.has(e.event.cause!))
  assert.is(replacements.length, onVictim.size)
})

test('the node returns: Ready again, taint removed, the evicted pods\' deletions confirmed', async () => {
  const victim = sim.nodes.names[2]
  sim.nodes.unsilence(victim)
  await sim.run(60_000)
  const node = sim.store.nodes.get(victim)!
  assert.is(node.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'True')
  assert.is((node.spec?.taints ?? []).length, 0)
  assert.is(sim.store.pods.list().filter((p) => p.spec?.nodeName === victim).length, 0)
  assert.is(sim.store.pods.list().length, 12)
})

test.run()
