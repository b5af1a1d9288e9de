import type { ReplicaSet, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js'
import type { EnvelopesOf } from './envelope.js'

/** `apps/v1` ReplicaSet events. */
export interface ReplicaSetEventData {
  ReplicaSetCreated: { object: ReplicaSet }
  ReplicaSetUpdated: { object: ReplicaSet }
  /** `spec.replicas` changed through the scale subresource (`kstate scale`, `kubectl scale`). */
  ReplicaSetScaled: { replicas: number }
  /** The ReplicaSet controller reported replicas, readyReplicas, availableReplicas, observedGeneration. */
  ReplicaSetStatusUpdated: { status: ReplicaSetStatus }
  ReplicaSetDeleted: Record<string, never>
}

export type ReplicaSetEvent = EnvelopesOf<ReplicaSetEventData>
export type ReplicaSetEventType = ReplicaSetEvent['type']

export const REPLICASET_EVENT_TYPES = [
  'ReplicaSetCreated',
  'ReplicaSetUpdated',
  'ReplicaSetScaled',
  'ReplicaSetStatusUpdated',
  'ReplicaSetDeleted',
] as const satisfies readonly ReplicaSetEventType[]
