import type { ApiRequest, LogEvent } from '../../../events/index.js'

/** One field where the recorded decision and the produced one disagree. */
export interface Mismatch {
  /** Dotted path, `type`, `object` or `data.…`. */
  path: string
  expected: unknown
  produced: unknown
}

/** A decision as the replayed controller made it: its request and what the api-server would append for it. */
export interface ProducedWrite {
  request: ApiRequest
  subject: string
  event: LogEvent
}

/** Decisions whose `cause` is one recorded event by construction, so a different one is a different decision. */
export const CAUSE_COMPARED: ReadonlySet<string> = new Set(['PodBound', 'PodEvicted', 'NodeTainted', 'NodeUntainted'])

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/

/**
 * The essential fields of a decision: its type, its object, and its data, where timestamps agree
 * within `toleranceMs` (a decision taken on the virtual clock is stamped a little earlier than
 * the recorded one, and times are kept to the second). `at` is timing and `by` the actor matched
 * on. `cause` is compared where it names one recorded event by construction (`CAUSE_COMPARED`):
 * a binding's pod version, an eviction's taint, a taint's Ready change; not where it names which
 * of several changes a controller happened to see first (a ReplicaSet sync coalesces many, a
 * node verdict follows the node's latest version), which is timing, not decision.
 *
 * A pod a controller creates is compared as it asked for it (its template) against the object
 * the log recorded, as a subset: admission's defaults and the generated name, uid and creation
 * time are the api-server's, not the controller's.
 */
export function compareDecision(recorded: { subject: string; event: LogEvent }, produced: ProducedWrite, toleranceMs: number): Mismatch[] {
  if (recorded.event.type !== produced.event.type) return [{ path: 'type', expected: recorded.event.type, produced: produced.event.type }]
  const out: Mismatch[] = []
  if (CAUSE_COMPARED.has(recorded.event.type) && recorded.event.cause !== produced.event.cause) out.push({ path: 'cause', expected: recorded.event.cause, produced: produced.event.cause })
  const generated = generateNameOf(produced.request)
  if (generated !== undefined) {
    const prefix = produced.subject.slice(0, produced.subject.lastIndexOf('.') + 1) + generated
    if (!recorded.subject.startsWith(prefix)) out.push({ path: 'object', expected: recorded.subject, produced: `${prefix}…` })
  } else if (recorded.subject !== produced.subject) out.push({ path: 'object', expected: recorded.subject, produced: produced.subject })
  if (produced.request.verb === 'create' && recorded.event.type.endsWith('Created')) {
    const object = stripIdentity(produced.request.object)
    subsetDiff((recorded.event.data as { object: unknown }).object, object, 'data.object', toleranceMs, out)
  } else diff(recorded.event.data, produced.event.data, 'data', toleranceMs, out)
  return out
}

function generateNameOf(r: ApiRequest): string | undefined {
  if (r.verb !== 'create') return undefined
  const meta = (r.object as { metadata?: { name?: string; generateName?: string } } | undefined)?.metadata
  return !meta?.name && meta?.generateName ? meta.generateName : undefined
}

/** Fields of an object the api-server assigns. */
function stripIdentity(o: unknown): unknown {
  const obj = o as { metadata?: Record<string, unknown> } | undefined
  if (!obj?.metadata) return o
  const { name: _n, uid: _u, creationTimestamp: _c, resourceVersion: _r, ...metadata } = obj.metadata
  return { ...obj, metadata }
}

function sameTime(a: unknown, b: unknown, toleranceMs: number): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || !RFC3339.test(a) || !RFC3339.test(b)) return false
  // Second precision on either side: one more second of slack.
  return Math.abs(Date.parse(a) - Date.parse(b)) <= toleranceMs + 1_000
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Full comparison (every field on either side). */
export function diff(expected: unknown, produced: unknown, path: string, toleranceMs: number, out: Mismatch[]): void {
  if (expected === produced || sameTime(expected, produced, toleranceMs)) return
  if (Array.isArray(expected) && Array.isArray(produced)) {
    if (expected.length !== produced.length) return void out.push({ path: `${path}.length`, expected: expected.length, produced: produced.length })
    expected.forEach((e, i) => diff(e, produced[i], `${path}[${i}]`, toleranceMs, out))
    return
  }
  if (isObject(expected) && isObject(produced)) {
    for (const k of new Set([...Object.keys(expected), ...Object.keys(produced)])) diff(expected[k], produced[k], `${path}.${k}`, toleranceMs, out)
    return
  }
  out.push({ path, expected, produced })
}

/** Every field of `produced` must be in `expected` (arrays: produced elements, in order, among the expected ones). */
function subsetDiff(expected: unknown, produced: unknown, path: string, toleranceMs: number, out: Mismatch[]): void {
  if (produced === undefined || expected === produced || sameTime(expected, produced, toleranceMs)) return
  if (Array.isArray(expected) && Array.isArray(produced)) {
    let from = 0
    for (const [i, p] of produced.entries()) {
      let found = -1
      for (let j = from; j < expected.length && found < 0; j++) {
        const probe: Mismatch[] = []
        subsetDiff(expected[j], p, '', toleranceMs, probe)
        if (probe.length === 0) found = j
      }
      if (found < 0) return void out.push({ path: `${path}[${i}]`, expected: expected[Math.min(i, expected.length - 1)], produced: p })
      from = found + 1
    }
    return
  }
  if (isObject(expected) && isObject(produced)) {
    for (const k of Object.keys(produced)) subsetDiff(expected[k], produced[k], `${path}.${k}`, toleranceMs, out)
    return
  }
  out.push({ path, expected, produced })
}
