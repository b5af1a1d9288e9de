import { NODE_EVENT_TYPES, type NodeEvent } from './node.js'
import { POD_EVENT_TYPES, type PodEvent } from './pod.js'
import { REPLICASET_EVENT_TYPES, type ReplicaSetEvent } from './replicaset.js'
import { FAULT_EVENT_TYPES, type FaultEvent } from './fault.js'

/** Every event the log may hold. Adding a resource's union here makes every exhaustive handler fail to compile until it handles it. */
/** `FaultEvent`s (chaos) live on subjects that name no resource: object projections skip them. */
export type LogEvent = PodEvent | NodeEvent | ReplicaSetEvent | FaultEvent
export type LogEventType = LogEvent['type']

/** Current schema version of each event type; decoding refuses a newer one instead of misreading it. */
export const SCHEMA_VERSIONS: Readonly<Record<LogEventType, number>> = Object.fromEntries(
  [...POD_EVENT_TYPES, ...NODE_EVENT_TYPES, ...REPLICASET_EVENT_TYPES, ...FAULT_EVENT_TYPES].map((t) => [t, 1]),
) as Record<LogEventType, number>

export function isLogEventType(t: unknown): t is LogEventType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(SCHEMA_VERSIONS, t)
}

/** Narrows a log event to one resource's union by its type prefix. */
export function isPodEvent(e: LogEvent): e is PodEvent {
  return e.type.startsWith('Pod')
}
export function isNodeEvent(e: LogEvent): e is NodeEvent {
  return e.type.startsWith('Node')
}
export function isReplicaSetEvent(e: LogEvent): e is ReplicaSetEvent {
  return e.type.startsWith('ReplicaSet')
}
