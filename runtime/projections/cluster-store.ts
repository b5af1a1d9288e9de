import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { Subject } from 'rxjs'
import { parseLogSubject, type LogEvent, type NodeEvent, type PodEvent, type Recorded, type ReplicaSetEvent, type Resource } from '../../events/index.js'
import { reduceNode, reducePod, reduceReplicaSet } from './reduce.js'
import { ResourceStore } from './resource-store.js'

export const objectStoreKey = (namespace: string | undefined, name: string) => (namespace === undefined ? name : `${namespace}/${name}`)

/** What the store keeps per log subject: parsed once, so applying an event allocates no key. */
export interface SubjectRef {
  subject: string
  rev: number
  /** Undefined for subjects that name no object (e.g. fault records); null until parsed (restored from a snapshot). */
  resource: Resource | undefined | null
  key: string
  /** A catch-up replay's frames waiting for this object (`catch-up.ts`): kept here to spare a second lookup per event. */
  waiting?: number[]
}

function subjectEntry(subject: string, rev: number): SubjectRef {
  const ref = parseLogSubject(subject)
  return { subject, rev, resource: ref?.resource, key: ref ? objectStoreKey(ref.namespace, ref.name) : '' }
}

/**
 * The cluster as the log says it is at `rev`: every process builds one by replaying the log
 * (Kubernetes' informer cache). `apply` must see events in revision order.
 */
export class ClusterStore {
  readonly pods = new ResourceStore<Pod>()
  readonly nodes = new ResourceStore<Node>()
  readonly replicasets = new ResourceStore<ReplicaSet>()
  /** Last revision of every object subject, deleted ones included: the expected sequence of the next append. */
  private readonly subjects = new Map<string, SubjectRef>()
  private readonly waiters: { rev: number; resolve: () => void }[] = []
  /** Every applied event, in order (the `kstate events -f` feed). */
  readonly events$ = new Subject<Recorded<LogEvent>>()
  rev = 0

  /** The store of one resource, by its REST name. */
  resource(r: Resource): ResourceStore<Pod> | ResourceStore<Node> | ResourceStore<ReplicaSet> {
    return r === 'pods' ? this.pods : r === 'nodes' ? this.nodes : this.replicasets
  }

  /** The subject's entry, if the store has seen it. */
  subjectRef(subject: string): SubjectRef | undefined {
    return this.subjects.get(subject)
  }

  subjectRev(subject: string): number {
    return this.subjects.get(subject)?.rev ?? 0
  }

  /** Every subject's last revision (snapshots and content hashes read them). */
  *subjectRevisions(): IterableIterator<[string, number]> {
    for (const [subject, e] of this.subjects) yield [subject, e.rev]
  }

  /** Sets a subject's last revision when a snapshot is loaded into an empty store. */
  restoreSubjectRev(subject: string, rev: number): void {
    // Parsed when an event next arrives on it: a snapshot restores 150,000 subjects, few see an event soon.
    this.subjects.set(subject, { subject, rev, resource: null, key: '' })
  }

  apply(rec: Recorded<LogEvent>): void {
    if (rec.rev <= this.rev) return // redelivery: already applied
    this.reduceInto(this.advance(rec.subject, rec.rev), rec)
    if (this.events$.observed) this.events$.next(rec)
    this.release()
  }

  /**
   * A frame at `rev` that could not be decoded: it changes no object, but its revision is the
   * subject's last one in the log (the next append's compare-and-set expects it).
   */
  skipUndecodable(subject: string, rev: number): void {
    if (rev <= this.rev) return
    this.advance(subject, rev)
    this.release()
  }

  /**
   * Records `rev` as the log's newest revision and `subject`'s last one, and says which object the
   * subject names. `apply` does this first; a catch-up replay (`catch-up.ts`) does it for every
   * event, the object's change later and only for events no later one supersedes.
   */
  advance(subject: string, rev: number): SubjectRef {
    let ref = this.subjects.get(subject)
    if (ref && ref.resource !== null) ref.rev = rev
    else this.subjects.set(subject, (ref = subjectEntry(subject, rev)))
    this.rev = rev
    return ref
  }

  /**
   * Applies one event to the object `ref` names (events of another resource's type are ignored, as
   * the log never holds them). `owned`: see the reducers; only a catch-up replay may pass true.
   */
  reduceInto(ref: SubjectRef, rec: Recorded<LogEvent>, owned = false): void {
    if (!ref.resource) return
    const key = ref.key
    const change = { rev: rec.rev, event: rec.event }
    if (ref.resource === 'pods' && rec.event.type.startsWith('Pod')) {
      this.pods.set(key, reducePod(this.pods.get(key), rec.event as PodEvent, rec.rev, owned), change)
    } else if (ref.resource === 'nodes' && rec.event.type.startsWith('Node')) {
      this.nodes.set(key, reduceNode(this.nodes.get(key), rec.event as NodeEvent, rec.rev, owned), change)
    } else if (ref.resource === 'replicasets' && rec.event.type.startsWith('ReplicaSet')) {
      this.replicasets.set(key, reduceReplicaSet(this.replicasets.get(key), rec.event as ReplicaSetEvent, rec.rev, owned), change)
    }
  }

  /** Whether anyone follows changes as they are applied (then every event must be applied on its own). */
  get observed(): boolean {
    return this.events$.observed || this.pods.observed || this.nodes.observed || this.replicasets.observed
  }

  /** Resolves once the store has applied `rev` (read-your-writes after an append); false on timeout. */
  waitFor(rev: number, timeoutMs = 5_000): Promise<boolean> {
    if (this.rev >= rev) return Promise.resolve(true)
    return new Promise((resolve) => {
      const w = { rev, resolve: () => resolve(true) }
      this.waiters.push(w)
      setTimeout(() => {
        const i = this.waiters.indexOf(w)
        if (i >= 0) {
          this.waiters.splice(i, 1)
          resolve(false)
        }
      }, timeoutMs)
    })
  }

  /** Wakes the `waitFor` callers whose revision is applied. */
  release(): void {
    if (this.waiters.length === 0) return
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].rev <= this.rev) {
        const [w] = this.waiters.splice(i, 1)
        w.resolve()
      }
    }
  }
}
