import type { JetStreamClient } from '@nats-io/jetstream'
import { logResourceFilter, type Resource } from '../../events/index.js'
import type { Logger } from '../log.js'
import { ClusterStore } from './cluster-store.js'
import { followLog } from './follow.js'
import { loadSnapshot, logBounds, type LogBounds } from './snapshot-load.js'

export interface AtRevisionOptions {
  /** Warnings about skipped snapshots go here. */
  log?: Logger
  /** Build only this resource's objects (faster; the other stores stay empty). */
  only?: Resource
  /** Called as the tail is applied: revision reached, revision aimed at. */
  onProgress?(rev: number, target: number): void
  /** Don't use snapshots: replay from revision 1 (what `replay --verify` and the tests compare against). */
  noSnapshot?: boolean
}

/** The projection at revision `rev`, and where it came from. */
export interface StoreAt {
  store: ClusterStore
  /** Revision of the snapshot it started from; 0 = replayed from the start of the log. */
  snapshotRev: number
  bounds: LogBounds
}

/**
 * The cluster as it was at revision `rev` (`Infinity`: as it is now): the newest valid snapshot at
 * or below `rev` plus the log from the snapshot's revision + 1 up to `rev`. The store's `rev` is
 * the last revision applied (≤ `rev`; lower when the log ends earlier). Read-only use: nothing
 * follows the log afterwards.
 */
export async function clusterStoreAt(js: JetStreamClient, rev: number, o: AtRevisionOptions = {}): Promise<StoreAt> {
  const bounds = await logBounds(js)
  const loaded = o.noSnapshot ? undefined : await loadSnapshot(js, { maxRev: rev, only: o.only, log: o.log, bounds })
  const store = loaded?.store ?? new ClusterStore()
  await replayInto(js, store, Math.min(rev, bounds.lastSeq), { only: o.only, onProgress: o.onProgress })
  return { store, snapshotRev: loaded?.manifest.rev ?? 0, bounds }
}

/** Applies the log after `store.rev` up to `toRev` (inclusive) to `store`, then stops following. */
export async function replayInto(js: JetStreamClient, store: ClusterStore, toRev: number, o: { only?: Resource; onProgress?(rev: number, target: number): void } = {}): Promise<void> {
  if (store.rev >= toRev) return
  const following = await followLog(js, store, { filter: logResourceFilter(o.only ?? '>'), toRev, onProgress: (rev) => o.onProgress?.(rev, toRev) })
  await following.reached
  await following.stop()
  o.onProgress?.(Math.min(store.rev, toRev), toRev)
}
