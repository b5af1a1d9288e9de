import { objectKey, parseFaultSubject, parseLogSubject, type LogEvent, type ObjectRef, type Recorded } from '../../events/index.js'
import { describeEvent, isCreation, isStatusReport } from './describe.js'
import { reduceObject } from '../projections/reduce.js'
import type { LogReader } from './log-reader.js'
import { refSubject } from './object-ref.js'

/** One event of a causal chain, as `kstate why` prints it. */
export interface WhyStep {
  rev: number
  /** Epoch ms of the append. */
  at: number
  /** The actor or user: `admin`, `system:kube-scheduler`. */
  by: string
  type: LogEvent['type']
  /** `pod/default/web-1`, `node/node-2`. */
  object: string
  /** What the event did: `scheduled on node-3`. */
  reason: string
  cause?: number
  /** `object`: an event of the object asked about; `cause`: one it follows from. */
  role: 'object' | 'cause'
  /** Earlier reports of the same status folded into this one (the first of a run is shown). */
  folded?: number
}

export interface WhyAnswer {
  object: string
  /** The revision the question was asked at. */
  rev: number
  /** False when the object's last event deleted it. */
  exists: boolean
  steps: WhyStep[]
}

/** Chains longer than this are cut (a safety bound; causes only point backwards, so none loops). */
const MAX_STEPS = 500

const keyOf = (subject: string) => {
  const ref = parseLogSubject(subject)
  const fault = parseFaultSubject(subject)
  return ref ? objectKey(ref) : fault !== undefined ? `fault/${fault}` : subject
}

/** The object's events since it was last created: its current incarnation. */
function incarnation(history: Recorded<LogEvent>[]): Recorded<LogEvent>[] {
  let start = 0
  history.forEach((r, i) => {
    if (isCreation(r.event.type)) start = i
  })
  return history.slice(start)
}

/** Runs of status reports that say the same thing are one fact: the first of the run stands for it. */
function fold(events: Recorded<LogEvent>[]): { rec: Recorded<LogEvent>; folded: number }[] {
  const out: { rec: Recorded<LogEvent>; folded: number; reason: string }[] = []
  for (const rec of events) {
    const reason = describeEvent(rec.event)
    const prev = out[out.length - 1]
    if (prev && isStatusReport(rec.event.type) && prev.rec.event.type === rec.event.type && prev.reason === reason) prev.folded++
    else out.push({ rec, folded: 0, reason })
  }
  return out
}

/**
 * The causal chain behind an object's state at revision `atRev`: every event of its current
 * incarnation, and everything they follow from. An event follows from its `cause` (the revision
 * that made its actor act) and, for an event on another pod, from that pod's creation and
 * placement (a pod is evicted because it was on the tainted node). So a ReplicaSet's replacement
 * pod explains itself through the eviction of the pod it replaced: user create → scheduled on
 * node-2 → node-2 Unknown → unreachable taint → evicted → replacement created → scheduled on node-3.
 * Undefined when the object has no events up to `atRev`.
 */
export async function explain(reader: LogReader, ref: ObjectRef, atRev: number): Promise<WhyAnswer | undefined> {
  const subject = refSubject(ref)
  const histories = new Map<string, Promise<Recorded<LogEvent>[]>>()
  const historyOf = (s: string) => {
    let h = histories.get(s)
    if (!h) histories.set(s, (h = reader.subjectHistory(s, atRev)))
    return h
  }
  const all = await historyOf(subject)
  if (all.length === 0) return undefined
  const current = incarnation(all)
  const steps = new Map<number, WhyStep>()
  const queue: Recorded<LogEvent>[] = []
  const add = (rec: Recorded<LogEvent>, role: WhyStep['role'], folded = 0) => {
    if (steps.has(rec.rev) || steps.size >= MAX_STEPS) return
    const e = rec.event
    steps.set(rec.rev, {
      rev: rec.rev,
      at: e.at,
      by: e.by,
      type: e.type,
      object: keyOf(rec.subject),
      reason: describeEvent(e),
      ...(e.cause ? { cause: e.cause } : {}),
      role,
      ...(folded > 0 ? { folded } : {}),
    })
    queue.push(rec)
  }
  const own = fold(current)
  // A status report superseded by a later one explains nothing of the current state: only the last
  // report of each kind has its causes followed.
  const lastReport = new Map<string, number>()
  for (const { rec } of own) if (isStatusReport(rec.event.type)) lastReport.set(rec.event.type, rec.rev)
  const superseded = new Set(own.filter(({ rec }) => isStatusReport(rec.event.type) && lastReport.get(rec.event.type) !== rec.rev).map(({ rec }) => rec.rev))
  for (const { rec, folded } of own) add(rec, 'object', folded)
  while (queue.length > 0) {
    const rec = queue.shift()!
    const cause = rec.event.cause
    if (cause && cause < rec.rev && !steps.has(cause) && !superseded.has(rec.rev)) {
      const c = await reader.get(cause)
      if (c) add(c, 'cause')
    }
    if (rec.subject !== subject && rec.event.type.startsWith('Pod') && !isCreation(rec.event.type)) {
      // The state of that pod the event acted on: since when it existed, and where it ran.
      const before = incarnation((await historyOf(rec.subject)).filter((r) => r.rev < rec.rev))
      const created = before[0]
      const bound = before.filter((r) => r.event.type === 'PodBound').pop()
      if (created && isCreation(created.event.type)) add(created, 'cause')
      if (bound) add(bound, 'cause')
    }
  }
  const state = current.reduce<unknown>((o, r) => reduceObject(o, r.event, r.rev), undefined)
  return {
    object: objectKey(ref),
    rev: atRev,
    exists: state !== undefined,
    steps: [...steps.values()].sort((a, b) => a.rev - b.rev),
  }
}
