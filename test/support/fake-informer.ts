import { Observable, Subject } from 'rxjs'
import type { LogEvent } from '../../events/index.js'
import type { Informer, ObjectChange } from '../../runtime/projections/types.js'

type Obj = { metadata?: { name?: string; namespace?: string; resourceVersion?: string } }

/**
 * An in-memory informer for host tests: the initial list on subscribe, then live changes, as the
 * real one (runtime/projections/resource-store.ts) delivers them. `log` is shared by the informers
 * of one test, as revisions come from one log. With `stampResourceVersion`, stored objects carry
 * their revision as `metadata.resourceVersion`, as objects from the projection do.
 */
export class FakeInformer<T extends Obj> implements Informer<T> {
  private objects = new Map<string, T>()
  private live = new Subject<ObjectChange<T>>()
  readonly changes$ = new Observable<ObjectChange<T>>((sub) => {
    for (const object of this.objects.values()) sub.next({ type: 'ADDED', rev: Number(object.metadata?.resourceVersion ?? this.log.rev), object })
    return this.live.subscribe(sub)
  })

  constructor(
    private namespaced: boolean,
    private log: { rev: number },
    private opts: { stampResourceVersion?: boolean } = {},
  ) {}

  get rev() {
    return this.log.rev
  }
  key(o: T) {
    return this.namespaced ? `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}` : (o.metadata?.name ?? '')
  }
  get(key: string) {
    return this.objects.get(key)
  }
  list() {
    return [...this.objects.values()]
  }

  /** Adds or replaces an object; `event` (or just its type) is the log event behind the change. Returns its revision. */
  put(o: T, event?: LogEvent | string): number {
    const key = this.key(o)
    const previous = this.objects.get(key)
    const rev = ++this.log.rev
    const object = this.opts.stampResourceVersion ? ({ ...o, metadata: { ...o.metadata, resourceVersion: String(rev) } } as T) : o
    this.objects.set(key, object)
    const ev = typeof event === 'string' ? ({ type: event } as LogEvent) : event
    this.live.next({ type: previous ? 'MODIFIED' : 'ADDED', rev, object, previous, ...(ev ? { event: ev } : {}) })
    return rev
  }

  remove(o: T): number {
    const rev = ++this.log.rev
    this.objects.delete(this.key(o))
    this.live.next({ type: 'DELETED', rev, object: o })
    return rev
  }
}
