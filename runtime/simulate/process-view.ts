import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Subscription } from 'rxjs'
import type { Resource } from '../../events/index.js'
import type { Clock } from '../clock/clock.js'
import { ObjectSetHash } from '../invariants/index.js'
import { objectStoreKey, type ClusterStore } from '../projections/cluster-store.js'
import { ResourceStore } from '../projections/resource-store.js'
import type { ObjectChange } from '../projections/types.js'

export interface ViewHooks {
  /** Every change the view delivers to its process. */
  change?(process: string, resource: Resource, c: ObjectChange<unknown>): void
  /** The view's hash of one resource (`ObjectSetHash.sum`) after applying revision `rev`. */
  projection?(process: string, resource: Resource, rev: number, hash: number): void
}

interface Pending {
  c: ObjectChange<object>
  at: number
}

/**
 * One resource of a process's view, fed in log order from the api-server's projection: at once
 * while healthy, `lagMs` late while its watch lags, not at all while the process is cut off (the
 * backlog then arrives in one burst, as a JetStream consumer catches up).
 */
class Feed {
  private queue: Pending[] = []
  private head = 0
  private lastAt = 0
  private timer: unknown
  lagMs = 0
  paused = 0
  readonly hash = new ObjectSetHash()

  constructor(
    private readonly clock: Clock,
    private readonly apply: (c: ObjectChange<object>) => void,
  ) {}

  push(c: ObjectChange<object>): void {
    const now = this.clock.now()
    if (this.paused === 0 && this.lagMs === 0 && this.head === this.queue.length) return this.apply(c)
    this.lastAt = Math.max(this.lastAt, now + this.lagMs)
    this.queue.push({ c, at: this.lastAt })
    this.arm()
  }

  /** The lag is over: what waits is delivered at once, in order. */
  catchUp(): void {
    const now = this.clock.now()
    for (let i = this.head; i < this.queue.length; i++) this.queue[i].at = Math.min(this.queue[i].at, now)
    this.lastAt = now
    this.disarm()
    this.flush()
  }

  get backlog(): number {
    return this.queue.length - this.head
  }

  private arm(): void {
    if (this.paused > 0 || this.timer !== undefined || this.head === this.queue.length) return
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.flush()
    }, Math.max(0, this.queue[this.head].at - this.clock.now()))
  }
  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private flush(): void {
    const now = this.clock.now()
    while (this.paused === 0 && this.head < this.queue.length && this.queue[this.head].at <= now) this.apply(this.queue[this.head++].c)
    if (this.head === this.queue.length) {
      this.queue = []
      this.head = 0
    }
    this.arm()
  }
}

const RESOURCES: Resource[] = ['pods', 'nodes', 'replicasets']

/**
 * A process's own projections (Kubernetes' informers), fed from the api-server's: each process in
 * a real cluster replays the log itself; here the views share the api-server's immutable objects
 * and differ only in what they have been delivered. Faults make a view stale (every resource
 * lags) or partial (some do), or cut it off. Each resource keeps a content hash of what it holds,
 * reported after every change so `projections-agree` can compare processes at equal revisions.
 */
export class ProcessView {
  readonly pods = new ResourceStore<Pod>()
  readonly nodes = new ResourceStore<Node>()
  readonly replicasets = new ResourceStore<ReplicaSet>()
  private readonly feeds: Partial<Record<Resource, Feed>> = {}
  private readonly subs: Subscription[] = []

  constructor(
    readonly name: string,
    source: ClusterStore,
    clock: Clock,
    hooks: ViewHooks = {},
    /** Hash every delivered object (one digest per object, cached across views). */
    hashing = true,
    /** The resources the process watches (an informer each); the others stay empty. */
    readonly resources: readonly Resource[] = RESOURCES,
  ) {
    const make = (resource: Resource): Feed => {
      const store = this.store(resource)
      const feed: Feed = new Feed(clock, (c) => {
        const m = (c.object as { metadata?: { namespace?: string; name?: string } }).metadata
        const key = objectStoreKey(resource === 'nodes' ? undefined : (m?.namespace ?? 'default'), m?.name ?? '')
        const before = store.get(key)
        const after = c.type === 'DELETED' ? undefined : c.object
        store.set(key, after, { rev: c.rev, event: c.event })
        hooks.change?.(name, resource, c)
        if (hashing) {
          feed.hash.change(key, before, after)
          hooks.projection?.(name, resource, c.rev, feed.hash.sum)
        }
      })
      return feed
    }
    for (const r of resources) {
      const feed = (this.feeds[r] = make(r))
      const src = source.resource(r) as ResourceStore<object>
      this.subs.push(src.changes$.subscribe((c) => feed.push(c)))
    }
  }

  store(resource: Resource): ResourceStore<object> {
    return (resource === 'pods' ? this.pods : resource === 'nodes' ? this.nodes : this.replicasets) as ResourceStore<object>
  }

  /** The watch of `resources` lags `ms` behind the log (0: it catches up at once). */
  setLag(resources: readonly Resource[], ms: number): void {
    for (const r of resources) {
      const f = this.feeds[r]
      if (!f) continue
      f.lagMs = ms
      if (ms === 0) f.catchUp()
    }
  }

  /** Cut off: nothing is delivered until `resume` (counted, like the network's isolation). */
  pause(): void {
    for (const f of Object.values(this.feeds)) f.paused++
  }
  resume(): void {
    for (const f of Object.values(this.feeds)) {
      f.paused = Math.max(0, f.paused - 1)
      if (f.paused === 0) f.catchUp()
    }
  }

  /** Changes delivered to the view but not yet to its process. */
  get backlog(): number {
    return Object.values(this.feeds).reduce((n, f) => n + f.backlog, 0)
  }

  /** Hex content hash of one resource as the view holds it (empty when the process does not watch it). */
  hash(resource: Resource): string {
    return this.feeds[resource]?.hash.value ?? ''
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe()
  }
}
