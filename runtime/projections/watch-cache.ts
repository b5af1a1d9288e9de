import type { Observable, Subscription } from 'rxjs'
import type { ObjectChange } from './types.js'

/** Changes kept per resource (kube-apiserver's watch cache started at 100 per resource; memory is cheap here). */
export const DEFAULT_WATCH_CACHE_SIZE = 1_000

/**
 * Kubernetes' watch cache, in small: the last changes of one resource, so a watch that resumes
 * from a recent resourceVersion (a client-go reflector after a dropped connection) is answered
 * from memory instead of by rebuilding the cluster at that revision from a snapshot and the log.
 */
export class WatchCache<T> {
  private ring: ObjectChange<T>[] = []
  /** Every change of this resource after this revision is in `ring`. */
  private coveredFrom: number
  private readonly sub: Subscription

  /** `rev`: the store's revision now; `changes$` must be the informer's (initial list then live changes). */
  constructor(changes$: Observable<ObjectChange<T>>, rev: number, readonly capacity = DEFAULT_WATCH_CACHE_SIZE) {
    this.coveredFrom = rev
    this.sub = changes$.subscribe((c) => {
      if (c.event === undefined) return // the informer's initial list: not a change
      this.ring.push(c)
      if (this.ring.length > capacity * 2) {
        // Trimmed in halves so a push is O(1) amortized.
        const dropped = this.ring.length - capacity
        this.coveredFrom = this.ring[dropped - 1].rev
        this.ring = this.ring.slice(dropped)
      }
    })
  }

  /** The changes after `rev`, in order; undefined when older changes have left the cache. */
  since(rev: number): ObjectChange<T>[] | undefined {
    if (rev < this.coveredFrom) return undefined
    let i = this.ring.length
    while (i > 0 && this.ring[i - 1].rev > rev) i--
    return this.ring.slice(i)
  }

  stop(): void {
    this.sub.unsubscribe()
  }
}
