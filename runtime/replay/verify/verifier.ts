import { nodeLifecycleFlags, type NodeLifecycleFlags } from '../../../actors/controllers/node-lifecycle/controller.js'
import { failureStatus, type LogEvent, type Recorded } from '../../../events/index.js'
import { VirtualClock } from '../../clock/virtual-clock.js'
import { ErrorCode, KstateError } from '../../errors.js'
import { logger, type Logger } from '../../log.js'
import { ClusterStore } from '../../projections/cluster-store.js'
import { decisionActor, type VerifiedActor } from './actors.js'
import { DecisionCapture, type Produced } from './capture.js'
import { compareDecision, type Mismatch, type ProducedWrite } from './compare.js'
import { startVerifiedControllers } from './controllers.js'
import { Lookahead, type HistorySource } from './history.js'
import { ReplayLeases } from './leases.js'

export interface VerifyOptions {
  history: HistorySource
  /** The node lifecycle flags the history was recorded with (Kubernetes' defaults for those not given). */
  flags?: Partial<NodeLifecycleFlags>
  /**
   * How much earlier than the recorded decision the replayed one may be made (virtual ms): the
   * latency of the recorded cluster, from an event's append to the append of the decision it led to.
   * The node controller gets one monitor period more (its ticks' phase is not in the log).
   */
  toleranceMs?: number
  /** Called after each event applied. */
  onProgress?(p: { events: number; decisions: number; rev: number }): void
  log?: Logger
}

/** A decision as the report shows it. */
export interface DecisionView {
  type: string
  subject: string
  data: unknown
  at: number
  cause?: number
  rev?: number
}

export interface Divergence {
  /**
   * - `different`: the log records a decision; the controller made another one (`mismatches`).
   * - `missing`: the log records a decision; the controller made none.
   * - `unexpected`: the controller made a decision the log does not record within the tolerance.
   */
  kind: 'different' | 'missing' | 'unexpected'
  /** The recorded decision's revision; for `unexpected`, the revision at which it was due. */
  rev: number
  actor: VerifiedActor
  expected?: DecisionView
  produced?: DecisionView
  mismatches: Mismatch[]
  /** For `unexpected`: the next decision the log records for this actor, if read yet. */
  nextRecorded?: DecisionView
  /** Other decisions made by then that the log did not show yet: often the cause of a missing one. */
  unrecorded: DecisionView[]
}

export interface VerifyResult {
  ok: boolean
  /** Events read, and how many of them were decisions verified. */
  events: number
  decisions: number
  lastRev: number
  divergence?: Divergence
  flags: NodeLifecycleFlags
}

export class VerifyError extends KstateError {
  override readonly name = 'VerifyError'
}

export const DEFAULT_TOLERANCE_MS = 10_000

/**
 * Deterministic re-execution: the recorded inputs (users', kubelets') are applied to a projection
 * in revision order, the virtual clock set to each event's `at`; the scheduler and controllers run
 * on that projection and clock, their writes captured (`DecisionCapture`). Each recorded decision
 * must match one they made (`compareDecision`); the RECORDED event is then applied, not theirs,
 * so the run continues on the recorded history. The first divergence ends the run.
 *
 * Timing rule: a controller decides from what it has seen, and the replay shows it every event at
 * the instant it was recorded, never later than the live controller saw it, so a decision is made
 * no later than it was recorded. One still unmade when its recorded event is reached is missing;
 * one made but not recorded within the tolerance is unexpected. The exception is the node
 * controller's monitor tick, whose phase the log does not hold: its decisions may come up to one
 * monitor period late, and the replay waits for them that long (see leases.ts). Status writes coalesce as a live
 * controller's do: of several status writes to one object, those overtaken by a later one before
 * the log shows them are dropped.
 */
export async function verifyHistory(o: VerifyOptions): Promise<VerifyResult> {
  const flags = nodeLifecycleFlags(o.flags)
  const tolerance = o.toleranceMs ?? DEFAULT_TOLERANCE_MS
  const windowOf = (actor: VerifiedActor) => tolerance + (actor === 'node-controller' ? flags.nodeMonitorPeriodMs : 0)
  const log = o.log ?? logger('replay')

  let leases: ReplayLeases | undefined
  const ahead = new Lookahead(o.history, (rec) => leases?.observe(rec))
  const first = await ahead.peek()
  const result: VerifyResult = { ok: true, events: 0, decisions: 0, lastRev: 0, flags }
  if (!first) return result
  if (first.rev !== 1) throw new VerifyError(ErrorCode.BadInput, `the history starts at revision ${first.rev}: re-execution needs it from revision 1`)

  const clock = new VirtualClock(first.event.at)
  const store = new ClusterStore()
  const capture = new DecisionCapture(store, clock)
  leases = new ReplayLeases(clock, flags)
  leases.observe(first)
  const controllers = await startVerifiedControllers({ store, capture, leases, clock, flags, log })

  /** Lets every promise chain settle and every timer due at `t` fire, until nothing more happens at `t`. */
  const settleAt = async (t: number) => {
    for (let i = 0; i < 10_000; i++) {
      clock.advanceTo(t)
      await new Promise<void>((r) => setImmediate(r))
      const next = clock.nextAt()
      if (next === undefined || next > t) return
    }
  }

  /** Decisions made long enough ago that the log would show them by now; status writes overtaken are dropped. */
  const overdue = (now: number, dueRev: number): Divergence | undefined => {
    for (const p of [...capture.pending]) {
      if (now <= p.at + windowOf(p.actor)) continue
      const w = capture.write(p)
      if (!w) {
        capture.settle(p, { ok: true, code: 200, object: undefined, rev: store.rev })
        continue
      }
      if (overtaken(p)) {
        capture.settle(p, { ok: true, code: 200, object: undefined, rev: store.rev })
        continue
      }
      const isNext = (r: Recorded<LogEvent>) => decisionActor(r.event.by) === p.actor
      const next = current && isNext(current) ? current : ahead.findBuffered(isNext)
      return { kind: 'unexpected', rev: dueRev, actor: p.actor, produced: viewOf(w, p), nextRecorded: next && recordedView(next), mismatches: [], unrecorded: [] }
    }
    return undefined
  }
  const overtaken = (p: Produced) =>
    p.request.verb === 'updateStatus' &&
    capture.pending.some((q) => q.seq > p.seq && q.actor === p.actor && q.request.verb === 'updateStatus' && sameTarget(q.request, p.request))

  /** The event being replayed (read, not yet applied). */
  let current: Recorded<LogEvent> | undefined
  /** Decisions made before `at` that the log has not shown, oldest first: what a missing decision may have waited for. */
  const unrecorded = (at: number): DecisionView[] =>
    capture.pending.filter((p) => p.at < at).slice(0, 5).flatMap((p) => {
      const w = capture.write(p)
      return w ? [viewOf(w, p)] : []
    })

  /** Advances to `t` one timer at a time, so each timer's consequences settle before the next fires. */
  const advance = async (t: number, dueRev: number): Promise<Divergence | undefined> => {
    // Every Unknown verdict whose lease silence starts before `t` must be known before the clock gets there.
    await ahead.fill(t + leases!.horizonMs)
    for (let next = clock.nextAt(); next !== undefined && next <= t; next = clock.nextAt()) {
      await settleAt(Math.max(next, clock.now()))
      const d = overdue(clock.now(), dueRev)
      if (d) return d
    }
    await settleAt(Math.max(t, clock.now()))
    return overdue(clock.now(), dueRev)
  }

  try {
    for (;;) {
      const rec = await ahead.next()
      if (!rec) break
      current = rec
      const divergence = (await advance(rec.event.at, rec.rev)) ?? (await step(rec))
      result.events++
      result.lastRev = rec.rev
      if (divergence) {
        result.ok = false
        result.divergence = divergence
        return result
      }
      o.onProgress?.({ events: result.events, decisions: result.decisions, rev: rec.rev })
    }
    current = undefined
    // The history ends: what was made within the tolerance before its last event may have been in flight.
    const d = overdue(clock.now(), result.lastRev + 1)
    if (d) {
      result.ok = false
      result.divergence = d
    }
    return result
  } finally {
    for (const p of [...capture.pending]) capture.settle(p, { ok: false, status: failureStatus('ServiceUnavailable', 'the replay ended') })
    await controllers.stop()
  }

  /** The pending decision of `actor` equal to the recorded one, else the nearest (for the report). */
  function bestMatch(rec: Recorded<LogEvent>, actor: VerifiedActor): { p: Produced; w: ProducedWrite; mismatches: Mismatch[] } | undefined {
    let best: { p: Produced; w: ProducedWrite; mismatches: Mismatch[] } | undefined
    for (const p of capture.pending) {
      if (p.actor !== actor) continue
      const w = capture.write(p)
      if (!w) continue
      const mismatches = compareDecision(rec, w, windowOf(actor))
      if (mismatches.length === 0) return { p, w, mismatches }
      if (!best || closeness(mismatches) > closeness(best.mismatches)) best = { p, w, mismatches }
    }
    return best
  }

  async function step(rec: Recorded<LogEvent>): Promise<Divergence | undefined> {
    const actor = decisionActor(rec.event.by)
    if (!actor) {
      if (leases!.beforeInput(rec)) await settleAt(clock.now())
      store.apply(rec)
      await settleAt(clock.now())
      return undefined
    }
    let best = bestMatch(rec, actor)
    // The node controller's monitor ticks have a phase the log cannot tell: its verdict may come
    // up to one period after the recorded one. The clock runs on (timers only: nothing recorded
    // after this decision is applied before it) until the tick.
    for (const until = rec.event.at + flags.nodeMonitorPeriodMs; actor === 'node-controller' && best?.mismatches.length !== 0; ) {
      const next = clock.nextAt()
      if (next === undefined || next > until) break
      await ahead.fill(next + leases!.horizonMs)
      await settleAt(Math.max(next, clock.now()))
      const d = overdue(clock.now(), rec.rev)
      if (d) return d
      best = bestMatch(rec, actor)
    }
    if (!best) return { kind: 'missing', rev: rec.rev, actor, expected: recordedView(rec), mismatches: [], unrecorded: unrecorded(rec.event.at) }
    if (best.mismatches.length > 0) {
      return { kind: 'different', rev: rec.rev, actor, expected: recordedView(rec), produced: viewOf(best.w, best.p), mismatches: best.mismatches, unrecorded: [] }
    }
    const plan = capture.plan(best.p)
    const code = plan.kind === 'append' ? plan.code : 200
    // Status writes to the same object made before the matched one were coalesced by the live controller.
    if (best.p.request.verb === 'updateStatus') {
      for (const q of capture.pending.filter((x) => x.actor === actor)) {
        if (q.seq < best.p.seq && q.request.verb === 'updateStatus' && sameTarget(q.request, best.p.request)) capture.settle(q, { ok: true, code: 200, object: undefined, rev: store.rev })
      }
    }
    store.apply(rec)
    capture.settle(best.p, capture.accepted(rec.subject, rec.rev, code))
    result.decisions++
    await settleAt(clock.now())
    return undefined
  }
}

function sameTarget(a: Produced['request'], b: Produced['request']): boolean {
  return a.resource === b.resource && 'name' in a && 'name' in b && a.name === b.name && ('namespace' in a ? a.namespace : undefined) === ('namespace' in b ? b.namespace : undefined)
}

/** How alike a produced decision is to the recorded one, to name the nearest in a report. */
function closeness(mismatches: Mismatch[]): number {
  if (mismatches[0]?.path === 'type') return 0
  return (mismatches.some((m) => m.path === 'object') ? 1 : 100) - mismatches.length / 100
}

function recordedView(rec: Recorded<LogEvent>): DecisionView {
  return { type: rec.event.type, subject: rec.subject, data: rec.event.data, at: rec.event.at, cause: rec.event.cause, rev: rec.rev }
}

function viewOf(w: ProducedWrite, p: Produced): DecisionView {
  const generateName = p.request.verb === 'create' ? (p.request.object as { metadata?: { name?: string; generateName?: string } })?.metadata : undefined
  const subject = generateName && !generateName.name && generateName.generateName ? `${w.subject.slice(0, w.subject.lastIndexOf('.') + 1)}${generateName.generateName}…` : w.subject
  return { type: w.event.type, subject, data: p.request.verb === 'create' ? { object: p.request.object } : w.event.data, at: p.at, cause: p.context.cause }
}
