import type { LogEvent } from '../../events/index.js'

/** One object's change as watchers see it (Kubernetes' watch event types). */
export interface ObjectChange<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  /** The log revision of the event that made the change; also the object's `metadata.resourceVersion`. */
  rev: number
  /** The object after the change (before it, for DELETED). */
  object: T
  /** The object before the change, if it existed. */
  previous?: T
  event: LogEvent
}
