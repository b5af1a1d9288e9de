import type { ActiveFault, FaultScope } from '../../events/index.js'
import { isActorInput } from './peers.js'
import { subjectMatches } from './subject-match.js'

/**
 * What the bus does with one message, decided from the fault table alone (pure: randomness comes
 * in as a function, so tests and simulations pick it).
 */
export interface Verdict {
  drop: boolean
  /** Dropped because a partition separates the two ends (it lasts until healed, unlike a random drop). */
  partitioned?: boolean
  /** Extra copies to deliver (0 or 1). */
  copies: number
  /** Milliseconds to hold the message before delivering it. */
  delayMs: number
  /** A paused actor's input: held until the actor resumes. */
  pausedBy?: string
}

export interface MessageContext {
  /** The process whose connection carries the message. */
  process: string
  subject: string
  /** The process on the other end, when the subject tells (peers.ts). */
  peer?: string
  /** `out`: this process sends it; `in`: it is delivered to this process. */
  direction: 'out' | 'in'
  /** Whether message faults (delay, drop, …) act here; partitions and pauses are checked everywhere a peer is known. */
  faultPoint: boolean
}

export const PASS: Verdict = Object.freeze({ drop: false, copies: 0, delayMs: 0 })

function inScope(scope: FaultScope | undefined, m: MessageContext): boolean {
  if (!scope) return true
  if (scope.process !== undefined && scope.process !== m.process) return false
  if (scope.actor !== undefined && !isActorInput(scope.actor, m.process, m.subject)) return false
  return true
}

/** Whether a partition stops a message from `sender` to `receiver`. */
export function partitioned(faults: readonly ActiveFault[], sender: string, receiver: string): boolean {
  for (const { fault: f } of faults) {
    if (f.kind !== 'partition') continue
    if (f.a.includes(sender) && f.from.includes(receiver)) return true
    if (!f.oneWay && f.from.includes(sender) && f.a.includes(receiver)) return true
  }
  return false
}

export function decide(faults: readonly ActiveFault[], m: MessageContext, random: () => number): Verdict {
  if (faults.length === 0) return PASS
  let v: Verdict | undefined
  const edit = () => (v ??= { ...PASS })
  if (m.peer !== undefined) {
    const [sender, receiver] = m.direction === 'out' ? [m.process, m.peer] : [m.peer, m.process]
    if (partitioned(faults, sender, receiver)) return { ...PASS, drop: true, partitioned: true }
  }
  for (const { fault: f } of faults) {
    if (f.kind === 'pause') {
      if (m.direction === 'in' && isActorInput(f.actor, m.process, m.subject)) edit().pausedBy = f.actor
      continue
    }
    if (!m.faultPoint) continue
    if (f.kind !== 'delay' && f.kind !== 'drop' && f.kind !== 'duplicate' && f.kind !== 'reorder') continue
    if (!subjectMatches(f.subject, m.subject) || !inScope(f.scope, m)) continue
    switch (f.kind) {
      case 'drop':
        if (random() < f.probability) return { ...PASS, drop: true }
        break
      case 'duplicate':
        if (random() < f.probability) edit().copies = 1
        break
      case 'delay':
        edit().delayMs += Math.max(0, f.ms + (random() * 2 - 1) * f.jitterMs)
        break
      case 'reorder':
        // A random hold within the window: messages inside one window overtake each other.
        edit().delayMs += random() * f.windowMs
        break
    }
  }
  return v ?? PASS
}

/** The clock offset a skew-clock fault gives `node` (0 without one). */
export function clockOffset(faults: readonly ActiveFault[], node: string): number {
  let off = 0
  for (const { fault: f } of faults) if (f.kind === 'skew-clock' && f.node === node) off += f.offsetMs
  return off
}
