import type { Recorded } from '../../events/index.js'
import type { ObjectChange } from '../projections/types.js'
import { INVARIANTS, objectOfSubject, type ViolationSink } from './violation.js'

const rvOf = (o: unknown): string | undefined => (o as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion
const nameOf = (resource: string, o: unknown): string => {
  const m = (o as { metadata?: { namespace?: string; name?: string } } | undefined)?.metadata
  const kind = resource.replace(/s$/, '')
  return m?.namespace ? `${kind}/${m.namespace}/${m.name}` : `${kind}/${m?.name ?? '?'}`
}

/**
 * resourceVersions strictly increase: the log's revisions (globally, hence per object), and what
 * every watcher sees — each of its resource streams in increasing revision order, every object's
 * `metadata.resourceVersion` the revision of the change that produced it and above the previous one.
 */
export class ResourceVersions {
  private lastRev = 0
  /** observer → resource → last revision delivered. */
  private readonly streams = new Map<string, Map<string, number>>()

  constructor(private readonly sink: ViolationSink) {}

  record(rec: Pick<Recorded, 'rev' | 'subject'> & { event?: { at?: number } }): void {
    if (!(rec.rev > this.lastRev)) {
      this.sink({ invariant: INVARIANTS.resourceVersions, rev: rec.rev, object: objectOfSubject(rec.subject), at: rec.event?.at, message: `log revision ${rec.rev} follows revision ${this.lastRev}` })
    }
    this.lastRev = Math.max(this.lastRev, rec.rev)
  }

  /** A change an observer (a process's informer) delivered; initial-list ADDEDs (no event) only have their version checked. */
  observe(observer: string, resource: string, c: ObjectChange<unknown>, at?: number): void {
    const fail = (message: string) => this.sink({ invariant: INVARIANTS.resourceVersions, rev: c.rev, object: nameOf(resource, c.object), at, message: `${observer}: ${message}` })
    if (c.type !== 'DELETED' && rvOf(c.object) !== String(c.rev)) fail(`${c.type} at rev ${c.rev} carries resourceVersion ${rvOf(c.object)}`)
    if (!c.event) return
    let byResource = this.streams.get(observer)
    if (!byResource) this.streams.set(observer, (byResource = new Map()))
    const last = byResource.get(resource) ?? 0
    if (!(c.rev > last)) fail(`${resource} change at rev ${c.rev} delivered after rev ${last}`)
    else byResource.set(resource, c.rev)
    const before = Number(rvOf(c.previous) ?? 0)
    if (c.previous && !(before < c.rev)) fail(`resourceVersion went from ${before} to ${c.rev}`)
  }
}
