import type { EnvelopesOf } from './envelope.js'
import { LOG_PREFIX } from './subjects.js'

/**
 * Faults injected into a live cluster (`kstate chaos …`). They are recorded in the log beside the
 * objects they disturb, so a replay shows when the cluster was hurt and how: the control plane's
 * reactions (`NodeConditionChanged`, `PodEvicted`, …) sit between a `FaultInjected` and its
 * `FaultCleared`. Projections of cluster objects ignore them (their subjects name no resource).
 */

/** Limits a bus fault to the traffic of one process (`control-plane`, a node's name) or one actor (`api-server`, `kubelet/node-1`, `node-controller`). */
export interface FaultScope {
  process?: string
  actor?: string
}

export type FaultSpec =
  /** SIGKILL the node's process and its pods' processes; restarted after `restartAfterMs`, or when the fault is cleared. */
  | { kind: 'kill-node'; node: string; restartAfterMs?: number }
  /** SIGKILL the control-plane process (api-server, scheduler, controllers); restarted like a node. */
  | { kind: 'kill-control-plane'; restartAfterMs?: number }
  /** Stop nats-server (JetStream store kept) and start it again on the same port after `downMs`. */
  | { kind: 'restart-nats'; downMs: number }
  /** Messages between the processes of `a` and those of `from` are dropped; with `oneWay` only those sent from `a` to `from`. */
  | { kind: 'partition'; a: string[]; from: string[]; oneWay: boolean }
  /** Bus messages on subjects matching `subject` (NATS wildcards) wait `ms` ± `jitterMs`. */
  | { kind: 'delay'; subject: string; ms: number; jitterMs: number; scope?: FaultScope }
  /** A fraction `probability` (0..1) of the matching messages is dropped. */
  | { kind: 'drop'; subject: string; probability: number; scope?: FaultScope }
  /** A fraction of the matching messages is delivered twice. */
  | { kind: 'duplicate'; subject: string; probability: number; scope?: FaultScope }
  /** Matching messages are held for up to `windowMs` and delivered in a shuffled order. */
  | { kind: 'reorder'; subject: string; windowMs: number; scope?: FaultScope }
  /** The actor stops processing its bus input; what arrives meanwhile waits (its mailbox is kept) and is delivered in order on resume. */
  | { kind: 'pause'; actor: string }
  /** The node's clock (its heartbeats' renewTime, its status timestamps) runs `offsetMs` off. */
  | { kind: 'skew-clock'; node: string; offsetMs: number }

export type FaultKind = FaultSpec['kind']

export interface FaultEventData {
  /** A fault began. `id` names it in `kstate chaos ls/clear`; `forMs`, when set, is when it ends by itself. */
  FaultInjected: { id: string; fault: FaultSpec; forMs?: number }
  /** A fault ended: cleared by a user (`kstate chaos clear`, `resume`, `heal`) or its duration ran out. */
  FaultCleared: { id: string; reason: string }
}

export type FaultEvent = EnvelopesOf<FaultEventData>
export type FaultEventType = FaultEvent['type']

export const FAULT_EVENT_TYPES = ['FaultInjected', 'FaultCleared'] as const satisfies readonly FaultEventType[]

/** Faults are logged under the pseudo-resource `faults`, cluster-scoped: `kstate.log.faults._.<id>`. */
export const FAULT_RESOURCE = 'faults'
export const faultSubject = (id: string) => `${LOG_PREFIX}.${FAULT_RESOURCE}._.${id}`
/** The fault id of a log subject, or undefined when the subject is not a fault's. */
export function parseFaultSubject(subject: string): string | undefined {
  const prefix = `${LOG_PREFIX}.${FAULT_RESOURCE}._.`
  return subject.startsWith(prefix) ? subject.slice(prefix.length) : undefined
}

export function isFaultEvent(e: { type: string }): e is FaultEvent {
  return e.type === 'FaultInjected' || e.type === 'FaultCleared'
}

/**
 * Chaos control traffic. Processes receive the fault table on `CHAOS_TABLE_SUBJECT` and ask for it
 * on `CHAOS_SYNC_SUBJECT` when they connect; users (with the control plane's credentials and the
 * admin token) send `ChaosRequest`s on `CHAOS_CONTROL_SUBJECT`. None of it is ever faulted.
 */
export const CHAOS_PREFIX = 'kstate.chaos'
export const CHAOS_TABLE_SUBJECT = 'kstate.chaos.table'
export const CHAOS_SYNC_SUBJECT = 'kstate.chaos.sync'
export const CHAOS_CONTROL_SUBJECT = 'kstate.chaos.control'

/** A fault in effect, as the table carries it. `until`: epoch ms when it ends by itself. */
export interface ActiveFault {
  id: string
  fault: FaultSpec
  since: number
  until?: number
}

export interface FaultTableMessage {
  /** Increases with every change, so a process ignores an older table that arrives late. */
  version: number
  faults: ActiveFault[]
}

export type ChaosRequest =
  /** `requestId`: a retried request (its answer lost to a nats-server restart) injects the fault once. */
  | { op: 'inject'; token: string; fault: FaultSpec; forMs?: number; by?: string; requestId?: string }
  | { op: 'clear'; token: string; id: string; by?: string }
  /** Clears every partition (`kstate chaos heal`). */
  | { op: 'heal'; token: string; by?: string }
  | { op: 'list'; token: string }

export type ChaosResponse = { ok: true; faults: ActiveFault[]; id?: string; cleared?: string[] } | { ok: false; code: string; message: string }
