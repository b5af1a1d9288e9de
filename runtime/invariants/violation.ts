import { objectKey, parseLogSubject } from '../../events/index.js'

/** The built-in invariants, by the names verdicts and reports print. */
export const INVARIANTS = {
  acknowledgedWrites: 'acknowledged-writes-in-log',
  boundOnce: 'pod-bound-once',
  oneNodeAtOnce: 'pod-on-one-node-at-once',
  replicaSetsConverge: 'replicasets-converge',
  resourceVersions: 'resource-versions-increase',
  projectionsAgree: 'projections-agree',
} as const
export type InvariantName = (typeof INVARIANTS)[keyof typeof INVARIANTS]

/** One broken promise: which invariant, where in the log, which object, and what was seen. */
export interface Violation {
  invariant: InvariantName
  /** The log revision the violation was found at (the offending event's, when there is one). */
  rev?: number
  /** The object, as `kstate events` names it: `pod/default/web-1`, `node/n1`, `replicaset/default/web`. */
  object?: string
  /** Time (epoch ms, the run's clock) the violation was found at, when the checker knows it. */
  at?: number
  message: string
}

/** Where checkers put what they find; the suite collects and forwards. */
export type ViolationSink = (v: Violation) => void

/** `pod/default/web-1` for a log subject; the subject itself when it names no object. */
export function objectOfSubject(subject: string): string {
  const ref = parseLogSubject(subject)
  return ref ? objectKey(ref) : subject
}

/** One line per violation: `pod-bound-once rev 812 pod/default/web-x: …`. */
export function formatViolation(v: Violation): string {
  const where = [v.rev !== undefined ? `rev ${v.rev}` : '', v.object ?? ''].filter(Boolean).join(' ')
  return `${v.invariant}${where ? ` ${where}` : ''}: ${v.message}`
}
