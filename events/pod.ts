import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js'
import type { EnvelopesOf } from './envelope.js'

/** Data carried by each Pod event. Deltas where the control plane acts, whole objects for user edits. */
export interface PodEventData {
  /** A user (or controller) created the Pod; `object` is as admitted: defaults, uid, creationTimestamp. */
  PodCreated: { object: Pod }
  /** A user replaced the Pod's spec/metadata (PUT or apply). */
  PodUpdated: { object: Pod }
  /** The scheduler bound the Pod to a Node (`spec.nodeName`). */
  PodBound: { nodeName: string }
  /** The kubelet reported a new status (phase, conditions, containerStatuses). */
  PodStatusUpdated: { status: PodStatus }
  /** Graceful deletion began: the kubelet stops the containers, then confirms. */
  PodDeletionRequested: { deletionTimestamp: string; deletionGracePeriodSeconds: number }
  /** The Pod is gone (tombstone: the subject keeps its last sequence for compare-and-set). */
  PodDeleted: Record<string, never>
  /** Taint eviction: graceful deletion, with a DisruptionTarget condition saying why. */
  PodEvicted: { deletionTimestamp: string; deletionGracePeriodSeconds: number; reason: string; message: string }
}

export type PodEvent = EnvelopesOf<PodEventData>
export type PodEventType = PodEvent['type']

export const POD_EVENT_TYPES = [
  'PodCreated',
  'PodUpdated',
  'PodBound',
  'PodStatusUpdated',
  'PodDeletionRequested',
  'PodDeleted',
  'PodEvicted',
] as const satisfies readonly PodEventType[]
