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
  /** The log event behind the change; absent for the synthetic ADDED of an informer's initial list. */
  event?: LogEvent
}

/**
 * A read view of one resource kept current from the log: Kubernetes' informer. Keys are
 * `namespace/name` for namespaced objects and `name` for cluster-scoped ones.
 */
export interface Informer<T> {
  get(key: string): T | undefined
  list(): T[]
  /** Revision of the last log event applied. */
  readonly rev: number
  /**
   * Every change after subscribing, preceded by a synthetic ADDED for each object that exists at
   * subscription time (an informer's initial list), so a subscriber never misses one.
   */
  readonly changes$: import('rxjs').Observable<ObjectChange<T>>
}
