/** One node's statechart, driven through the controller on the virtual clock (see sim.ts). */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { NODE_MONITOR_GRACE_PERIOD_1_32_MS } from '../../../../actors/controllers/node-lifecycle/controller.js'
import { healthDeadline, initialNodeContext, rfc3339 } from '../../../../actors/controllers/node-lifecycle/node.js'
import { KUBELET_CONDITIONS, Sim, T0 } from './sim.js'

const UNREACHABLE = 'node.kubernetes.io/unreachable'
const NOT_READY = 'node.kubernetes.io/not-ready'
const sec = (ms: number) => ms / 1000

test('default timeline: the lease stops at t0 → Unknown at t0 + 40 s (± the 5 s period), unreachable taint right after, with its causal chain', () => {
  const s = new Sim()
  for (const n of ['n1', 'n2', 'n3']) s.addNode(n, { zone: 'a', leaseOffsetMs: 2_000 })
  s.advance(62_500) // renewals at 2, 12, …, 62 s
  const t0 = T0 + 62_000
  const lastRev = Number(s.nodes.get('n2')!.metadata!.resourceVersion)
  s.silence('n2')
  s.advance(30_000)
  assert.is(s.ready('n2'), 'True', 'still Ready 30 s after the last renewal')
  s.advance(60_000)

  const [changed] = s.events('NodeConditionChanged', 'n2')
  assert.ok(changed, 'NodeConditionChanged appended')
  const unknownAfter = sec(changed.at - t0)
  assert.ok(unknownAfter >= 40 && unknownAfter <= 45, `Unknown after ${unknownAfter} s`)
  assert.is((changed.at - T0) % 5_000, 10, 'decided on a monitor tick (+10 ms api latency)')
  assert.is(changed.cause, lastRev, 'the Unknown transition is caused by the node\'s last revision')

  const [tainted] = s.events('NodeTainted', 'n2')
  assert.ok(tainted, 'NodeTainted appended')
  assert.ok(tainted.at - changed.at < 1_000, `tainted ${tainted.at - changed.at} ms after`)
  assert.is(tainted.cause, changed.rev, 'NodeTainted is caused by the NodeConditionChanged')
  assert.equal(s.taints('n2'), [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: rfc3339(tainted.at - 10) }])

  const [marked] = s.events('PodStatusUpdated', 'n2')
  assert.ok(marked, 'pods marked not ready')
  assert.is(marked.at, changed.at)
  assert.is(marked.cause, lastRev)

  // Conditions: all four Unknown, heartbeats kept, transition time = the decision.
  const decidedAt = rfc3339(changed.at - 10)
  for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
    const c = s.condition('n2', type)!
    assert.is(c.status, 'Unknown', type)
    assert.is(c.reason, 'NodeStatusUnknown', type)
    assert.is(c.message, 'Kubelet stopped posting node status.', type)
    assert.is(c.lastHeartbeatTime, rfc3339(T0), type)
    assert.is(c.lastTransitionTime, decidedAt, type)
  }
  assert.equal(s.state('n2'), { health: 'unknown', taint: { tainted: 'unreachable' } })
  // The others are untouched.
  assert.equal(s.state('n1'), { health: 'ready', taint: 'untainted' })
  assert.is(s.events('NodeConditionChanged').length, 1)
  assert.is(s.events('NodeTainted').length, 1)
})

test('startup grace (60 s) before the first Ready condition, monitor grace (40 s) after it', () => {
  const s = new Sim()
  s.addNode('fresh', { zone: 'a', ready: 'none', lease: false })
  s.addNode('posted', { zone: 'a', lease: false })
  s.addNode('keeper', { zone: 'a' }) // keeps the zone from full disruption
  s.advance(40_000)
  assert.is(s.ready('posted'), 'True')
  s.advance(5_100)
  assert.is(s.ready('posted'), 'Unknown', 'monitor grace: Unknown at the first tick past 40 s')
  assert.is(sec(s.events('NodeConditionChanged', 'posted')[0].at - T0), 45.01)
  s.advance(14_900)
  assert.is(s.ready('fresh'), undefined, 'startup grace: nothing at 60 s')
  s.advance(5_100)
  assert.is(s.ready('fresh'), 'Unknown')
  assert.is(sec(s.events('NodeConditionChanged', 'fresh')[0].at - T0), 65.01)
})

test('--node-monitor-grace-period takes 50 s (Kubernetes 1.32) as well as 40 s', () => {
  const at = (grace?: number) => {
    const s = new Sim(grace ? { nodeMonitorGracePeriodMs: grace } : {})
    s.addNode('n', { zone: 'a', lease: false })
    s.addNode('keeper', { zone: 'a' })
    s.advance(120_000)
    return sec(s.events('NodeConditionChanged', 'n')[0].at - T0)
  }
  assert.is(at(), 45.01)
  assert.is(at(NODE_MONITOR_GRACE_PERIOD_1_32_MS), 55.01)
  assert.is(at(30_000), 35.01)
})

test('Unknown reasons: NodeStatusUnknown for posted conditions, NodeStatusNeverUpdated (heartbeat = creation) for missing ones', () => {
  const s = new Sim()
  s.addNode('keeper', { zone: 'a' })
  s.advance(7_000)
  const created = s.now
  s.addNode('partial', { zone: 'a', lease: false, conditions: KUBELET_CONDITIONS('True', created).filter((c) => c.type === 'Ready' || c.type === 'DiskPressure') })
  s.addNode('never', { zone: 'a', lease: false, ready: 'none' })
  s.advance(120_000)
  const reasons = (n: string) => ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((t) => [t, s.condition(n, t)?.status, s.condition(n, t)?.reason])
  assert.equal(reasons('partial'), [
    ['Ready', 'Unknown', 'NodeStatusUnknown'],
    ['MemoryPressure', 'Unknown', 'NodeStatusNeverUpdated'],
    ['DiskPressure', 'Unknown', 'NodeStatusUnknown'],
    ['PIDPressure', 'Unknown', 'NodeStatusNeverUpdated'],
  ])
  assert.is(s.condition('partial', 'MemoryPressure')!.message, 'Kubelet never posted node status.')
  assert.is(s.condition('partial', 'MemoryPressure')!.lastHeartbeatTime, rfc3339(created))
  assert.equal(reasons('never').map((r) => r[2]), ['NodeStatusNeverUpdated', 'NodeStatusNeverUpdated', 'NodeStatusNeverUpdated', 'NodeStatusNeverUpdated'])
  const [write] = s.commands.filter((c) => c.cmd.type === 'SetNodeConditions' && c.cmd.node === 'never')
  assert.is(write.cmd.type === 'SetNodeConditions' && write.cmd.reason, 'NodeStatusNeverUpdated')
  // A node that never posted status has no pods marked (they were never Ready through it).
  assert.is(s.events('PodStatusUpdated', 'never').length, 0)
  assert.is(s.events('PodStatusUpdated', 'partial').length, 1)
  // Both are tainted unreachable afterwards.
  assert.equal(s.taintKeys('never'), [UNREACHABLE])
})

test('a lease alone, or a status heartbeat alone, keeps a node alive; startup nodes renewing a lease stay in startup', () => {
  const s = new Sim()
  s.addNode('lease-only', { zone: 'a' })
  s.addNode('status-only', { zone: 'a', lease: false })
  s.addNode('starting', { zone: 'a', ready: 'none' })
  const post = () => {
    s.postStatus('status-only', 'True')
    s.clock.setTimeout(post, 20_000)
  }
  s.clock.setTimeout(post, 20_000)
  s.advance(600_000)
  assert.is(s.events('NodeConditionChanged').length, 0)
  assert.is(s.events('NodeTainted').length, 0)
  assert.equal(s.state('starting'), { health: 'startup', taint: 'untainted' })
  assert.equal(s.state('status-only'), { health: 'ready', taint: 'untainted' })
})

test('Ready=False from the kubelet: not-ready taint through the limiter, no Unknown write, no pod marking', () => {
  const s = new Sim()
  for (const n of ['n1', 'n2', 'n3']) s.addNode(n, { zone: 'a' })
  s.advance(20_000)
  const rev = s.postStatus('n1', 'False')
  s.advance(1_000)
  assert.equal(s.state('n1'), { health: 'notReady', taint: { tainted: 'notReady' } })
  const [tainted] = s.events('NodeTainted', 'n1')
  assert.is(tainted.cause, rev, 'caused by the status that reported False')
  assert.equal(s.taintKeys('n1'), [NOT_READY])
  assert.is(s.events('NodeConditionChanged').length, 0)
  assert.is(s.events('PodStatusUpdated').length, 0)
  // Ready again: both taints removed at once, caused by the status that reported True.
  s.advance(60_000)
  const back = s.postStatus('n1', 'True')
  s.advance(100)
  assert.equal(s.taintKeys('n1'), [])
  const [untainted] = s.events('NodeUntainted', 'n1')
  assert.is(untainted.cause, back)
  assert.equal(s.state('n1'), { health: 'ready', taint: 'untainted' })
})

test('not-ready ↔ unreachable swap is one request with add + remove, at once even with no token left', () => {
  const s = new Sim({ nodeEvictionRate: 0.001 }) // one taint per 1000 s
  for (const n of ['n1', 'n2', 'n3', 'n4']) s.addNode(n, { zone: 'a' })
  s.advance(10_000)
  s.postStatus('n1', 'False')
  s.advance(1_000)
  assert.equal(s.taintKeys('n1'), [NOT_READY], 'the first taint used the token')
  s.silence('n1')
  s.advance(60_000)
  assert.is(s.ready('n1'), 'Unknown')
  const swaps = s.commands.filter((c) => c.cmd.type === 'ApplyTaint' && c.cmd.node === 'n1').map((c) => c.cmd)
  assert.is(swaps.length, 2)
  const swap = swaps[1]
  assert.ok(swap.type === 'ApplyTaint')
  if (swap.type !== 'ApplyTaint') return
  assert.is(swap.add.key, UNREACHABLE)
  assert.equal(swap.remove, { key: NOT_READY, effect: 'NoExecute' })
  assert.equal(s.taintKeys('n1'), [UNREACHABLE])
  const changed = s.events('NodeConditionChanged', 'n1')[0]
  assert.is(s.events('NodeTainted', 'n1')[1].cause, changed.rev)
  assert.ok(s.events('NodeTainted', 'n1')[1].at - changed.at < 100, 'swapped right away')
  // And back: the kubelet reports False again → swap back to not-ready at once.
  s.revive('n1', 'False')
  s.advance(100)
  assert.equal(s.taintKeys('n1'), [NOT_READY])
  assert.is(s.events('NodeTainted', 'n1').length, 3)
  assert.is(s.events('NodeUntainted', 'n1').length, 0)
})

test('the node comes back Ready: its unreachable taint is removed and it is healthy again', () => {
  const s = new Sim()
  for (const n of ['n1', 'n2', 'n3']) s.addNode(n, { zone: 'a' })
  s.advance(10_000)
  s.silence('n1')
  s.advance(60_000)
  assert.equal(s.taintKeys('n1'), [UNREACHABLE])
  s.revive('n1')
  s.advance(100)
  assert.equal(s.taintKeys('n1'), [])
  assert.is(s.ready('n1'), 'True')
  assert.equal(s.state('n1'), { health: 'ready', taint: 'untainted' })
  // It stays healthy, and may go Unknown again later.
  s.advance(300_000)
  assert.is(s.events('NodeConditionChanged', 'n1').length, 1)
  s.silence('n1')
  s.advance(60_000)
  assert.is(s.events('NodeConditionChanged', 'n1').length, 2)
  assert.equal(s.taintKeys('n1'), [UNREACHABLE])
})

test('a Ready node is not un-Unknowned by its lease alone once Unknown was written (the kubelet must post status)', () => {
  const s = new Sim()
  for (const n of ['n1', 'n2', 'n3']) s.addNode(n, { zone: 'a' })
  s.advance(10_000)
  s.silence('n1')
  s.advance(60_000)
  s.silent.delete('n1')
  // Lease only: renewals resume, no status.
  s.actor.send({ type: 'LEASE_RENEWED', name: 'n1', renewTime: s.now, now: s.now })
  s.advance(30_000)
  assert.is(s.ready('n1'), 'Unknown')
  assert.equal(s.state('n1'), { health: 'unknown', taint: { tainted: 'unreachable' } })
})

test('failed commands are retried at the next monitor pass: conditions, pod marking, taint (rate limited again), untaint', () => {
  const s = new Sim()
  for (const n of ['n1', 'n2', 'n3']) s.addNode(n, { zone: 'a' })
  s.advance(10_000)
  const failures: Record<string, number> = { SetNodeConditions: 1, ApplyTaint: 1, RemoveTaints: 1, MarkPodsNotReady: 1 }
  s.fail = (cmd) => {
    const left = failures[cmd.type] ?? 0
    failures[cmd.type] = left - 1
    return left > 0
  }
  s.silence('n1') // last renewal at 10 s: Unknown at the 55 s tick
  s.advance(65_000)
  const at = (type: string) => s.commands.filter((c) => c.cmd.type === type).map((c) => sec(c.at - T0))
  assert.equal(at('SetNodeConditions'), [55, 60], 'written again at the next tick')
  assert.equal(at('MarkPodsNotReady'), [55, 60])
  assert.is(s.ready('n1'), 'Unknown')
  // The failed taint spent the zone's token: the retry waits for the next one (10 s later).
  assert.equal(at('ApplyTaint'), [60.01, 70.01])
  assert.equal(s.taintKeys('n1'), [UNREACHABLE])
  s.revive('n1')
  s.advance(10_000)
  assert.equal(at('RemoveTaints'), [75, 80])
  assert.equal(s.taintKeys('n1'), [])
  assert.equal(s.state('n1'), { health: 'ready', taint: 'untainted' })
})

test('rebuilt from the projection: a node already Unknown and tainted emits nothing; one Unknown but untainted is tainted at once', () => {
  const s = new Sim()
  s.addNode('keeper', { zone: 'a' })
  s.addNode('keeper2', { zone: 'a' })
  const unknown = KUBELET_CONDITIONS('True', T0).map((c) => ({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown' }))
  s.addNode('done', { zone: 'a', lease: false, conditions: unknown, taints: [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: rfc3339(T0) }] })
  s.addNode('half', { zone: 'a', lease: false, conditions: unknown })
  const halfRev = s.events('NodeRegistered', 'half')[0].rev
  s.advance(0) // the new nodes' machines are spawned together at the next turn of the clock
  assert.equal(s.state('done'), { health: 'unknown', taint: { tainted: 'unreachable' } })
  assert.equal(s.state('half'), { health: 'unknown', taint: 'awaitingTaint' })
  s.advance(100)
  assert.equal(s.state('half'), { health: 'unknown', taint: { tainted: 'unreachable' } })
  assert.is(s.events('NodeTainted', 'half')[0].cause, halfRev)
  s.advance(120_000)
  assert.is(s.commands.filter((c) => c.cmd.node === 'done').length, 0)
  assert.is(s.events('NodeConditionChanged').length, 0, 'nothing rewritten')
})

test('a node first seen with an old heartbeat gets a full grace period from the moment the controller sees it', () => {
  const s = new Sim()
  s.addNode('keeper', { zone: 'a' })
  s.advance(300_000)
  // Registered long ago (heartbeat 5 min old), no lease yet: like a controller restart.
  s.addNode('old', { zone: 'a', lease: false, conditions: KUBELET_CONDITIONS('True', T0) })
  const seen = s.now
  s.advance(40_000)
  assert.is(s.ready('old'), 'True')
  s.advance(5_100)
  assert.is(s.ready('old'), 'Unknown')
  assert.is(sec(s.events('NodeConditionChanged', 'old')[0].at - seen), 45.01 - (seen - T0) % 5_000 / 1000)
})

test('healthDeadline is data: max(lease, heartbeat, first seen) + grace', () => {
  const node = { metadata: { name: 'n', creationTimestamp: rfc3339(T0) }, status: { conditions: KUBELET_CONDITIONS('True', T0 + 5_000) } }
  const grace = { nodeMonitorGracePeriodMs: 40_000, nodeStartupGracePeriodMs: 60_000 }
  const ctx = initialNodeContext({ name: 'n', grace, now: T0 + 1_000, node, rev: 3 })
  assert.is(healthDeadline(ctx), T0 + 45_000)
  assert.is(healthDeadline({ ...ctx, lease: T0 + 30_000 }), T0 + 70_000)
  const starting = initialNodeContext({ name: 'n', grace, now: T0 + 9_000, node: { metadata: node.metadata }, rev: 3 })
  assert.is(healthDeadline(starting), T0 + 60_000, 'startup: from the creation time, with the startup grace')
})

test('a deleted node: its machine stops and it leaves the zone counts', () => {
  const s = new Sim()
  for (const n of ['n1', 'n2']) s.addNode(n, { zone: 'a' })
  s.advance(1_000)
  assert.is(s.zone(':a').size, 2)
  s.deleteNode('n2')
  assert.is(s.state('n2'), undefined)
  assert.is(s.zone(':a').size, 1)
  assert.is(s.zone(':a').ready, 1)
  s.advance(120_000)
  assert.is(s.commands.length, 0)
  // Registered again under the same name: a new machine (same actor id), counted again.
  s.addNode('n2', { zone: 'a' })
  s.advance(1_000)
  assert.equal(s.state('n2'), { health: 'ready', taint: 'untainted' })
  assert.equal([s.zone(':a').size, s.zone(':a').ready], [2, 2])
})

test.run()
