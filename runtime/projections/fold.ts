import type { LogEventType } from '../../events/index.js'

/**
 * What each event does to its object, as the reducers in `reduce.ts` define it: what a catch-up
 * replay needs to know to drop an event that a later event on the same object makes irrelevant,
 * without decoding it. Keep in step with the reducers; `test/runtime/projections/catch-up.test.ts`
 * compares folded and full replays over random histories.
 *
 * - `replace`: the object after it does not depend on the object before (a whole object written).
 * - `remove`:  the object is gone after it, whatever it was.
 * - `status`:  replaces `status` wholesale and keeps everything else.
 * - `statusPatch`: changes only `status`, from the status before (a later `status` supersedes it).
 * - `patch`:   changes other fields, from the object before: never superseded but by `replace`/`remove`.
 * - `none`:    changes no object (chaos records).
 */
export type FoldClass = 'replace' | 'remove' | 'status' | 'statusPatch' | 'patch' | 'none'

export const FOLD_CLASS: Readonly<Record<LogEventType, FoldClass>> = {
  PodCreated: 'replace',
  PodUpdated: 'replace',
  PodBound: 'patch', // spec.nodeName and a status condition
  PodStatusUpdated: 'status',
  PodDeletionRequested: 'patch',
  PodDeleted: 'remove',
  PodEvicted: 'patch', // metadata and status; removes the pod when its grace is 0, which only its data says
  NodeRegistered: 'replace',
  NodeUpdated: 'replace',
  NodeStatusUpdated: 'status',
  NodeDeleted: 'remove',
  NodeConditionChanged: 'statusPatch',
  NodeTainted: 'patch',
  NodeUntainted: 'patch',
  ReplicaSetCreated: 'replace',
  ReplicaSetUpdated: 'replace',
  ReplicaSetScaled: 'patch',
  ReplicaSetStatusUpdated: 'status',
  ReplicaSetDeleted: 'remove',
  FaultInjected: 'none',
  FaultCleared: 'none',
}
