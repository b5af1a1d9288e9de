/** Zones, rate limits and disruption modes of the controller, on the virtual clock (see sim.ts). */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor } from 'xstate'
import { DEFAULT_NODE_LIFECYCLE_FLAGS, nodeLifecycleFlags, nodeLifecycleMachine } from '../../../../actors/controllers/node-lifecycle/controller.js'
import { tableSize } from '../../../../actors/lib/sharded-table.js'
import { VirtualClock } from '../../../../runtime/clock/virtual-clock.js'
import { Sim, T0 } from './sim.js'

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`)
/** Seconds between consecutive events. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => Math.round((t - times[i]) * 1000) / 1000)

function zoneOf(s: Sim, zone: string, n: number): string[] {
  const ns = names(zone, n)
  for (const name of ns) s.addNode(name, { zone })
  return ns
}

test('flags: Kubernetes defaults, overridable one by one', () => {
  assert.equal(nodeLifecycleFlags(), {
    nodeMonitorPeriodMs: 5_000,
    nodeMonitorGracePeriodMs: 40_000,
    nodeStartupGracePeriodMs: 60_000,
    nodeEvictionRate: 0.1,
    secondaryNodeEvictionRate: 0.01,
    unhealthyZoneThreshold: 0.55,
    largeClusterSizeThreshold: 50,
  })
  assert.equal(nodeLifecycleFlags({ nodeMonitorGracePeriodMs: 50_000, nodeEvictionRate: undefined }), { ...DEFAULT_NODE_LIFECYCLE_FLAGS, nodeMonitorGracePeriodMs: 50_000 })
})

test('one monitor timer for the whole controller, whatever the number of nodes', () => {
  const s = new Sim()
  for (const n of names('n', 50)) s.addNode(n, { lease: false, ready: 'True' })
  s.advance(0) // spawns the 50 machines
  assert.is(tableSize(s.actor.getSnapshot().context.unspawned), 0)
  assert.is(Object.keys(s.actor.getSnapshot().children).length, 50)
  // 1 monitor timer; nodes have none (leases are off here).
  assert.is(s.clock.pending, 1)
  s.advance(12_000)
  assert.is(s.actor.getSnapshot().context.passes, 2)
})

test('healthy nodes sleep: only a node whose grace runs out gets monitor ticks, until its Unknown is written', () => {
  const s = new Sim()
  const ns = zoneOf(s, 'a', 20)
  s.advance(60_000)
  assert.is(s.actor.getSnapshot().context.passes, 12)
  assert.equal([...s.ticks.values()].reduce((a, b) => a + b, 0), 0, 'no tick reached a Ready node that renews its lease')
  s.silence(ns[0])
  s.advance(60_000)
  assert.is(s.ready(ns[0]), 'Unknown')
  assert.equal([...s.ticks.keys()], [ns[0]])
  const ticked = s.ticks.get(ns[0])!
  assert.ok(ticked <= 2, `${ticked} ticks: the one that found it past grace, and none once Unknown is written`)
  s.advance(60_000)
  assert.is(s.ticks.get(ns[0]), ticked)
  // Back: Ready again, and asleep again.
  s.revive(ns[0])
  s.advance(60_000)
  assert.is(s.ready(ns[0]), 'True')
  assert.is(s.ticks.get(ns[0]), ticked)
})

test('Normal zone: 10 silent nodes out of 30 are tainted one every 10 s (0.1/s), not at once', () => {
  const s = new Sim()
  const ns = zoneOf(s, 'a', 30)
  s.advance(20_000)
  s.silence(...ns.slice(0, 10))
  s.advance(60_000)
  const unknownAt = s.events('NodeConditionChanged').map((e) => e.at)
  assert.is(unknownAt.length, 10)
  assert.is(new Set(unknownAt).size, 1, 'all Unknown in the same monitor pass')
  assert.is(s.zone(':a').state, 'Normal')
  assert.is(s.events('NodeTainted').length, 2, 'not all at once: 2 in the first 15 s')
  s.advance(100_000)
  const tainted = s.times('NodeTainted', unknownAt[0])
  assert.is(tainted.length, 10)
  assert.is(tainted[0], 0.01)
  assert.equal(gaps(tainted), Array(9).fill(10))
  assert.equal(new Set(s.events('NodeTainted').map((e) => e.node)), new Set(ns.slice(0, 10)))
})

test('PartialDisruption in a large zone (> 50 nodes): the secondary rate, 0.01/s', () => {
  const s = new Sim()
  const ns = zoneOf(s, 'big', 60)
  s.advance(20_000)
  s.silence(...ns.slice(0, 40)) // 40/60 ≥ 0.55
  s.advance(60_000)
  const z = s.zone(':big')
  assert.is(z.state, 'PartialDisruption')
  assert.is(z.limiter.qps, 0.01)
  const unknownAt = s.events('NodeConditionChanged')[0].at
  s.advance(400_000)
  const tainted = s.times('NodeTainted', unknownAt)
  assert.equal(tainted, [0.01, 100.01, 200.01, 300.01, 400.01])
})

test('PartialDisruption in a small zone (≤ 50 nodes): tainting stops; it resumes at 0.1/s when the zone is Normal again', () => {
  const s = new Sim()
  const ns = zoneOf(s, 'small', 10)
  s.advance(20_000)
  s.silence(...ns.slice(0, 6)) // 6/10 ≥ 0.55, more than 2
  s.advance(60_000)
  assert.is(s.events('NodeConditionChanged').length, 6)
  assert.is(s.zone(':small').state, 'PartialDisruption')
  assert.is(s.zone(':small').limiter.qps, 0)
  s.advance(600_000)
  assert.is(s.events('NodeTainted').length, 0)
  // Two come back: 4/10 not ready → Normal → the other four are tainted 10 s apart.
  s.revive(ns[0])
  s.revive(ns[1])
  s.advance(5_000)
  assert.is(s.zone(':small').state, 'Normal')
  s.advance(60_000)
  assert.is(s.events('NodeTainted').length, 4)
  assert.equal(gaps(s.times('NodeTainted', T0)), [10, 10, 10])
})

test('FullDisruption of one zone while another is healthy: the normal rate, 0.1/s', () => {
  const s = new Sim()
  const a = zoneOf(s, 'a', 5)
  zoneOf(s, 'b', 5)
  s.advance(20_000)
  s.silence(...a)
  s.advance(60_000)
  assert.is(s.zone(':a').state, 'FullDisruption')
  assert.is(s.zone(':a').limiter.qps, 0.1)
  assert.is(s.zone(':b').state, 'Normal')
  s.advance(60_000)
  const tainted = s.times('NodeTainted', s.events('NodeConditionChanged')[0].at)
  assert.is(tainted.length, 5)
  assert.equal(gaps(tainted), [10, 10, 10, 10])
  assert.is(s.actor.getSnapshot().matches({ disruption: 'normal' }), true)
})

test('zones are rate limited independently', () => {
  const s = new Sim()
  const a = zoneOf(s, 'a', 10)
  const b = zoneOf(s, 'b', 10)
  s.advance(20_000)
  s.silence(...a.slice(0, 3), ...b.slice(0, 3))
  s.advance(60_000)
  const from = s.events('NodeConditionChanged')[0].at
  s.advance(30_000)
  assert.equal(s.times('NodeTainted', from).filter((_, i) => s.events('NodeTainted')[i].node.startsWith('a')), [0.01, 10.01, 20.01])
  assert.equal(s.times('NodeTainted', from).filter((_, i) => s.events('NodeTainted')[i].node.startsWith('b')), [0.01, 10.01, 20.01])
})

test('every zone fully disrupted: taints removed, none added; resumes at the normal rate when a node returns', () => {
  const s = new Sim()
  const a = zoneOf(s, 'a', 3)
  const b = zoneOf(s, 'b', 3)
  s.advance(20_000)
  s.silence(...a)
  s.advance(80_000)
  assert.equal(a.map((n) => s.taintKeys(n).length), [1, 1, 1], 'zone a down alone: tainted at 0.1/s')
  assert.is(s.actor.getSnapshot().matches({ disruption: 'normal' }), true)

  s.silence(...b)
  s.advance(60_000)
  assert.is(s.actor.getSnapshot().matches({ disruption: 'allZonesDown' }), true)
  assert.equal([...a, ...b].map((n) => s.ready(n)), Array(6).fill('Unknown'))
  assert.equal([...a, ...b].map((n) => s.taintKeys(n).length), Array(6).fill(0), 'all taints removed')
  assert.is(s.events('NodeUntainted').length, 3)
  const taintsBefore = s.events('NodeTainted').length
  assert.is(taintsBefore, 3, 'zone b never tainted')
  assert.equal([s.zone(':a').state, s.zone(':b').state], ['FullDisruption', 'FullDisruption'])
  assert.equal([s.zone(':a').limiter.qps, s.zone(':b').limiter.qps], [0, 0])
  s.advance(600_000)
  assert.is(s.events('NodeTainted').length, taintsBefore, 'no taint while every zone is down')

  s.revive(b[0])
  s.advance(5_000)
  const exitAt = s.now
  assert.is(s.actor.getSnapshot().matches({ disruption: 'normal' }), true)
  assert.equal([s.zone(':a').state, s.zone(':b').state], ['FullDisruption', 'Normal'])
  s.advance(40_000)
  const again = s.events('NodeTainted').slice(taintsBefore)
  assert.is(again.length, 5, 'the five still Unknown are tainted again')
  assert.equal(new Set(again.map((e) => e.node)), new Set([...a, b[1], b[2]]))
  // The limiters were "never" (rate 0): the new ones start drained, so the first taint waits 10 s.
  assert.equal(
    again.filter((e) => e.node.startsWith('a')).map((e) => (e.at - exitAt) / 1000),
    [10.01, 20.01, 30.01],
  )
  // Each retaint is caused by the node's NodeConditionChanged.
  for (const e of again) assert.is(s.entry(e.cause)?.type, 'NodeConditionChanged')
})

test('leaving master disruption mode gives every node a fresh grace period (probe timestamps reset)', () => {
  const s = new Sim()
  s.addNode('b1', { zone: 'b' })
  s.advance(20_000)
  s.addNode('starting', { zone: 'a', ready: 'none', lease: false }) // startup grace from its creation: 60 s
  s.silence('b1')
  s.advance(50_000) // b1 Unknown at 65 s: both zones fully disrupted
  assert.is(s.actor.getSnapshot().matches({ disruption: 'allZonesDown' }), true)
  s.revive('b1')
  s.advance(5_000) // exit at the 75 s pass
  assert.is(s.actor.getSnapshot().matches({ disruption: 'normal' }), true)
  s.advance(120_000)
  // Without the reset it would have been Unknown at 85 s (created at 20 s + 60 s).
  assert.equal(s.times('NodeConditionChanged', T0, 'starting'), [140.01])
})

test('a node excluded from disruption checks is tainted but not counted in its zone', () => {
  const s = new Sim()
  zoneOf(s, 'a', 3)
  s.addNode('ex', { zone: 'a', labels: { 'node.kubernetes.io/exclude-disruption': '' } })
  s.advance(20_000)
  assert.equal([s.zone(':a').size, s.zone(':a').ready, s.zone(':a').notReady], [4, 3, 0])
  s.silence('ex')
  s.advance(60_000)
  assert.equal([s.zone(':a').ready, s.zone(':a').notReady], [3, 0])
  assert.equal(s.taintKeys('ex'), ['node.kubernetes.io/unreachable'])
})

test('a request still waiting is dropped when the node comes back or is deleted', () => {
  const s = new Sim()
  const ns = zoneOf(s, 'a', 20)
  s.advance(20_000)
  s.silence(...ns.slice(0, 4))
  s.advance(50_000)
  assert.is(s.events('NodeTainted').length, 1)
  const queued = s.events('NodeConditionChanged').map((e) => e.node).filter((n) => s.taintKeys(n).length === 0)
  assert.is(queued.length, 3)
  s.revive(queued[0])
  s.deleteNode(queued[1])
  s.advance(100_000)
  assert.is(s.events('NodeTainted').length, 2)
  assert.equal(s.taintKeys(queued[2]), ['node.kubernetes.io/unreachable'])
  assert.equal(s.taintKeys(queued[0]), [])
  assert.equal(s.state(queued[0]), { health: 'ready', taint: 'untainted' })
})

test('the machine is pure: same inputs, same commands, on a fresh clock', () => {
  const run = () => {
    const clock = new VirtualClock(T0)
    const out: string[] = []
    const actor = createActor(nodeLifecycleMachine, { clock, input: { now: T0 } })
    actor.on('*', (c) => out.push(`${clock.now() - T0} ${JSON.stringify(c)}`))
    actor.start()
    actor.send({ type: 'NODE_UPSERTED', node: { metadata: { name: 'x', creationTimestamp: '2025-01-01T00:00:00Z' } }, rev: 1, now: T0 })
    actor.send({ type: 'NODE_UPSERTED', node: { metadata: { name: 'y', creationTimestamp: '2025-01-01T00:00:00Z' } }, rev: 2, now: T0 })
    clock.advance(120_000)
    return out
  }
  const a = run()
  assert.is(a.length, 2, 'both never posted status: NeverUpdated writes')
  assert.equal(run(), a)
})

test.run()
