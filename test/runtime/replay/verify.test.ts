/**
 * Deterministic re-execution on histories recorded in memory (the sim cluster): a faithful history
 * verifies; each kind of tampering is reported at the right revision, with the actor and what was
 * expected against what the controllers produced.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { LogEvent, Recorded } from '../../../events/index.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'
import { logger, setLogLevel } from '../../../runtime/log.js'
import { startSimCluster } from '../../../runtime/sim/sim-cluster.js'
import { formatResult } from '../../../runtime/replay/verify/report.js'
import { verifyHistory, VerifyError } from '../../../runtime/replay/verify/verifier.js'
import { bindElsewhere } from '../../golden/corrupt.js'
import { SCENARIOS, T0 } from '../../golden/scenarios.js'

setLogLevel('error')

let nodeFailure: Recorded<LogEvent>[]
const by = (h: Recorded<LogEvent>[], user: string) => h.filter((r) => r.event.by === user)
const CONTROLLERS = ['system:kube-scheduler', 'system:node-controller', 'system:taint-eviction-controller', 'system:replicaset-controller']

test.before(async () => {
  nodeFailure = await SCENARIOS.find((s) => s.name === 'node-failure')!.record()
})

test('a recorded node failure verifies: every decision of the four controllers is made again', async () => {
  const r = await verifyHistory({ history: nodeFailure })
  assert.ok(r.ok, formatResult(r))
  assert.is(r.events, nodeFailure.length)
  assert.is(r.decisions, nodeFailure.filter((e) => CONTROLLERS.includes(e.event.by)).length)
  // The node controller's whole chain is among them: verdict, pods not ready, taint, untaint.
  assert.ok(by(nodeFailure, 'system:node-controller').length >= 4)
  assert.is(formatResult(r), `verified ${r.decisions} decisions of ${r.events} events: OK`)
})

test('a binding moved to another node: divergence at its revision, scheduler, expected vs produced node', async () => {
  const { history, rev } = bindElsewhere(nodeFailure)
  const r = await verifyHistory({ history })
  assert.not.ok(r.ok)
  const d = r.divergence!
  assert.is(d.rev, rev)
  assert.is(d.actor, 'scheduler')
  assert.is(d.kind, 'different')
  const recorded = history.find((e) => e.rev === rev)!.event as Extract<LogEvent, { type: 'PodBound' }>
  const truth = nodeFailure.find((e) => e.rev === rev)!.event as Extract<LogEvent, { type: 'PodBound' }>
  assert.equal(d.mismatches, [{ path: 'data.nodeName', expected: recorded.data.nodeName, produced: truth.data.nodeName }])
  assert.is(r.events, rev)
  const text = formatResult(r)
  assert.match(text, `divergence at revision ${rev} (scheduler)`)
  assert.match(text, `→ ${recorded.data.nodeName}`)
  assert.match(text, `→ ${truth.data.nodeName}`)
})

test('a decision the controllers never make (a taint on a healthy node): missing, at its revision', async () => {
  const at = nodeFailure.findIndex((e) => e.event.type === 'ReplicaSetStatusUpdated')
  const forged: Recorded<LogEvent> = {
    rev: 0,
    subject: 'kstate.log.nodes._.sim-node-00004',
    event: { type: 'NodeTainted', v: 1, at: nodeFailure[at].event.at, by: 'system:node-controller', data: { taint: { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' } } },
  }
  const history = [...nodeFailure.slice(0, at), forged, ...nodeFailure.slice(at)].map((e, i) => ({ ...e, rev: i + 1 }))
  const r = await verifyHistory({ history })
  assert.is(r.divergence?.kind, 'missing')
  assert.is(r.divergence?.rev, at + 1)
  assert.is(r.divergence?.actor, 'node-controller')
  assert.match(formatResult(r), 'produced: nothing')
})

test('evictions missing from the log: the decision waiting on them is missing, and the report names the unrecorded evictions', async () => {
  const history = nodeFailure.filter((e) => e.event.type !== 'PodEvicted')
  const r = await verifyHistory({ history })
  const d = r.divergence!
  assert.is(d.kind, 'missing')
  assert.is(d.actor, 'replicaset-controller')
  assert.ok(d.unrecorded.some((u) => u.type === 'PodEvicted'), formatResult(r))
  assert.match(formatResult(r), 'made before it, not in the log:')
})

test('an eviction recorded a minute after its deadline: unexpected beyond the tolerance, accepted within a wider one', async () => {
  const i = nodeFailure.findIndex((e) => e.event.type === 'PodEvicted')
  const late = nodeFailure.map((e, k) => (k >= i ? { ...e, event: { ...e.event, at: e.event.at + 60_000 } } : e))
  const r = await verifyHistory({ history: late })
  assert.is(r.divergence?.kind, 'unexpected')
  assert.is(r.divergence?.actor, 'taint-eviction-controller')
  assert.is(r.divergence?.produced?.type, 'PodEvicted')
  assert.is(r.divergence?.nextRecorded?.rev, nodeFailure[i].rev)
  const wide = await verifyHistory({ history: late, toleranceMs: 70_000 })
  assert.ok(wide.ok, formatResult(wide))
})

test('a status write the live controller coalesced away is not a divergence; a wrong status is', async () => {
  const statuses = nodeFailure.filter((e) => e.event.type === 'ReplicaSetStatusUpdated')
  assert.ok(statuses.length >= 2)
  const coalesced = nodeFailure.filter((e) => e !== statuses[0])
  const r = await verifyHistory({ history: coalesced })
  assert.ok(r.ok, formatResult(r))
  const wrong = nodeFailure.map((e) => (e === statuses[1] ? { ...e, event: { ...e.event, data: { status: { replicas: 99 } } } as LogEvent } : e))
  const w = await verifyHistory({ history: wrong })
  assert.is(w.divergence?.rev, statuses[1].rev)
  assert.is(w.divergence?.kind, 'different')
  assert.ok(w.divergence?.mismatches.some((m) => m.path === 'data.status.replicas' && m.expected === 99))
})

test('the node controller\'s ticks run at another phase than the recorded ones: its verdict, a tick late, still matches', async () => {
  // A kubelet's last status (heartbeat 33 s) puts the recorded verdict at the live tick after 73 s
  // (75 s); the replay, its ticks shifted by 2.5 s, reaches it at 77.5 s: within one period.
  const clock = new VirtualClock(T0)
  const sim = await startSimCluster({ clock, nodes: 3, zoneSize: 3, log: logger('sim') })
  const victim = sim.nodes.names[1]
  await sim.run(33_000)
  const now = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const status = { ...sim.store.nodes.get(victim)!.status, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }] }
  assert.ok((await sim.api.request({ verb: 'updateStatus', resource: 'nodes', name: victim, status }, { user: `system:node:${victim}` })).ok)
  sim.nodes.silence(victim)
  await sim.run(60_000)
  await sim.stop()
  const history: Recorded<LogEvent>[] = sim.api.log.map((e, i) => ({ rev: i + 1, subject: e.subject, event: e.event }))
  const verdict = history.find((e) => e.event.type === 'NodeConditionChanged')!
  assert.is(verdict.event.at - T0, 75_000)
  // The replay's clock, and so its controller's ticks, start with the first event.
  history[0] = { ...history[0], event: { ...history[0].event, at: T0 - 2_500 } }
  const r = await verifyHistory({ history })
  assert.ok(r.ok, formatResult(r))
  assert.ok(r.decisions >= 2)
})

test('an eviction whose recorded cause is not its taint: a different decision, the cause named', async () => {
  const i = nodeFailure.findIndex((e) => e.event.type === 'PodEvicted')
  const taint = nodeFailure[i].event.cause!
  const history = nodeFailure.map((e, k) => (k === i ? { ...e, event: { ...e.event, cause: taint - 1 } } : e))
  const r = await verifyHistory({ history })
  assert.is(r.divergence?.rev, nodeFailure[i].rev)
  assert.is(r.divergence?.actor, 'taint-eviction-controller')
  assert.equal(r.divergence?.mismatches, [{ path: 'cause', expected: taint - 1, produced: taint }])
})

test('a history that does not start at revision 1 is refused', async () => {
  try {
    await verifyHistory({ history: nodeFailure.slice(5) })
    assert.unreachable('should have thrown')
  } catch (e) {
    assert.instance(e, VerifyError)
    assert.match((e as Error).message, 'starts at revision 6')
  }
})

test.run()
