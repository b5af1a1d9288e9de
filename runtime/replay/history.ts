import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import { objectKey, type ObjectRef } from '../../events/index.js'
import type { ClusterStore } from '../projections/cluster-store.js'
import { diffClusters, type ClusterDiff } from './diff.js'
import { replayInto } from '../projections/at-revision.js'
import { logBounds } from '../projections/snapshot-load.js'
import { jetStreamLogReader, type LogReader } from './log-reader.js'
import { projectionAt } from './projection-at.js'
import { explain, type WhyAnswer } from './why.js'

/** The event at (or last before) a point: what `--at TIME` and `--to TIME` resolve to. */
export interface RevisionPoint {
  rev: number
  /** Epoch ms of that event. */
  at: number
}

/** Every object of a store keyed `kind/namespace/name`, as the diff compares them. */
export function clusterObjects(store: ClusterStore): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const resource of ['pods', 'nodes', 'replicasets'] as const) {
    for (const o of store.resource(resource).list() as { metadata?: { namespace?: string; name?: string } }[]) {
      out.set(objectKey({ resource, namespace: resource === 'nodes' ? undefined : o.metadata?.namespace, name: o.metadata?.name ?? '' }), o)
    }
  }
  return out
}

/**
 * The log's past as the API serves it: the cluster at a revision, the revision at a time, the
 * difference between two revisions, the causal chain behind an object. `head()` is the newest
 * revision served: the live projection's, or the target of a replay.
 */
export class LogHistory {
  readonly reader: LogReader
  /** The last stores built, by revision: `kubectl get pods,nodes` at one revision builds it once. */
  private readonly cache = new Map<number, Promise<ClusterStore>>()

  constructor(
    private readonly deps: {
      js: JetStreamClient
      jsm: JetStreamManager
      head(): number
      /** The live store, answered for reads at the head without a replay. */
      current?: ClusterStore
    },
  ) {
    this.reader = jetStreamLogReader(deps.js, deps.jsm)
  }

  head(): number {
    return this.deps.head()
  }

  /** First revision the log still holds (1 unless its start was purged; last + 1 when empty). */
  async firstRev(): Promise<number> {
    return (await logBounds(this.deps.js)).firstSeq
  }

  storeAt(rev: number): Promise<ClusterStore> {
    if (this.deps.current && rev === this.deps.current.rev) return Promise.resolve(this.deps.current)
    let s = this.cache.get(rev)
    if (!s) {
      s = projectionAt(this.deps.js, rev)
      this.cache.set(rev, s)
      s.catch(() => this.cache.delete(rev))
      while (this.cache.size > 2) this.cache.delete(this.cache.keys().next().value!)
    }
    return s
  }

  /** The event at `rev`, or the last one before it (a revision whose event was deleted). */
  async pointAt(rev: number): Promise<RevisionPoint | undefined> {
    for (let r = Math.min(rev, this.head()), tries = 0; r >= 1 && tries < 64; r--, tries++) {
      const e = await this.reader.get(r)
      if (e) return { rev: e.rev, at: e.event.at }
    }
    return undefined
  }

  /** The last event with `at` ≤ `time` (see `revisionAtTime`). */
  async revisionAt(time: number): Promise<RevisionPoint | undefined> {
    return revisionAtTime(this.reader, await this.firstRev(), this.head(), time)
  }

  /** Objects added, changed (field paths) and removed between two revisions, in one pass over the log. */
  async diff(from: number, to: number): Promise<ClusterDiff> {
    const store = await projectionAt(this.deps.js, from)
    const before = clusterObjects(store)
    await replayInto(this.deps.js, store, to)
    return diffClusters(from, to, before, clusterObjects(store))
  }

  why(ref: ObjectRef, atRev = this.head()): Promise<WhyAnswer | undefined> {
    return explain(this.reader, ref, atRev)
  }
}

/**
 * The last event in [first, end] with `at` ≤ `time`. `at` comes from the api-server's clock, so it
 * rises with the revision (one writer; equal or a few ms apart under load): a binary search over
 * revisions, then a walk forward over neighbours that share the instant or came a little out of
 * order. Deleted or undecodable revisions are skipped.
 */
export async function revisionAtTime(reader: LogReader, first: number, end: number, time: number): Promise<RevisionPoint | undefined> {
  const atOf = async (rev: number): Promise<RevisionPoint | undefined> => {
    for (let r = rev; r <= end; r++) {
      const e = await reader.get(r)
      if (e) return { rev: e.rev, at: e.event.at }
    }
    return undefined
  }
  const start = await atOf(first)
  if (!start || start.at > time) return undefined
  let best = start
  let lo = start.rev
  let hi = end
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    const p = await atOf(mid)
    if (!p || p.at > time) hi = mid - 1
    else {
      best = p
      lo = p.rev
    }
  }
  for (let next = await atOf(best.rev + 1); next && next.at <= time; next = await atOf(next.rev + 1)) best = next
  return best
}
