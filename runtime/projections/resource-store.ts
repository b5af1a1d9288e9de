import { Observable, Subject } from 'rxjs'
import type { Informer, ObjectChange } from './types.js'

/**
 * One resource's objects, keyed `namespace/name` or `name`, with change notification. The store
 * is mutated only by `ClusterStore.apply`, in log order; readers get immutable objects.
 */
export class ResourceStore<T> implements Informer<T> {
  private readonly objects = new Map<string, T>()
  private readonly subject = new Subject<ObjectChange<T>>()
  rev = 0

  get(key: string): T | undefined {
    return this.objects.get(key)
  }
  list(): T[] {
    return [...this.objects.values()]
  }
  get size(): number {
    return this.objects.size
  }
  keys(): IterableIterator<string> {
    return this.objects.keys()
  }

  readonly changes$ = new Observable<ObjectChange<T>>((sub) => {
    // The initial list and the live changes are joined synchronously: no change can fall between.
    for (const object of this.objects.values()) {
      const rv = Number((object as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? 0)
      sub.next({ type: 'ADDED', rev: rv, object })
    }
    return this.subject.subscribe(sub)
  })

  /** Records the change and notifies watchers; `next` undefined means deleted. */
  set(key: string, next: T | undefined, change: Omit<ObjectChange<T>, 'type' | 'object' | 'previous'>): void {
    // Never backwards: a catch-up replay applies objects out of log order (each object's own in order).
    if (change.rev > this.rev) this.rev = change.rev
    if (!this.subject.observed) {
      // Unobserved (a replay at start, a read at a revision): no change record, no lookup of the previous object.
      if (next === undefined) this.objects.delete(key)
      else this.objects.set(key, next)
      return
    }
    const previous = this.objects.get(key)
    if (next === undefined) {
      if (previous === undefined) return
      this.objects.delete(key)
      this.subject.next({ ...change, type: 'DELETED', object: previous, previous })
      return
    }
    this.objects.set(key, next)
    this.subject.next({ ...change, type: previous === undefined ? 'ADDED' : 'MODIFIED', object: next, previous })
  }

  /** Whether a watcher follows the changes. */
  get observed(): boolean {
    return this.subject.observed
  }

  complete(): void {
    this.subject.complete()
  }
}
