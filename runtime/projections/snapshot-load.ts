import type { JetStreamClient } from '@nats-io/jetstream'
import { LOG_STREAM, type Resource } from '../../events/index.js'
import type { Logger } from '../log.js'
import type { ClusterStore } from './cluster-store.js'
import { incompatibility, isSnapshotError, SnapshotDecoder } from './snapshot-codec.js'
import { listSnapshots, streamSnapshot, type SnapshotManifest } from './snapshot-store.js'

/** What the log holds now: which revisions are still there, and which log it is. */
export interface LogBounds {
  /** Oldest revision still in the log (> 1 once older events were purged). */
  firstSeq: number
  lastSeq: number
  /** The log stream's creation time: snapshots of another (recreated) log carry another one. */
  created: string
}

export async function logBounds(js: JetStreamClient): Promise<LogBounds> {
  const info = await (await js.jetstreamManager()).streams.info(LOG_STREAM)
  // An empty stream reports first_seq = last_seq + 1.
  return { firstSeq: info.state.first_seq, lastSeq: info.state.last_seq, created: info.created }
}

export interface LoadedSnapshot {
  store: ClusterStore
  manifest: SnapshotManifest
  /** Wall time of the load outside decoding (fetch, checksum), and decoding (overlapping the fetch). */
  readMs: number
  decodeMs: number
}

/**
 * The newest usable snapshot at or below `maxRev`, decoded into a projection, or undefined (then
 * the caller replays the log from 1). A corrupt, incompatible or foreign snapshot is skipped with
 * one warning and the next older one tried; one whose following events were purged is skipped
 * silently (it cannot be continued).
 */
export async function loadSnapshot(
  js: JetStreamClient,
  o: { maxRev?: number; only?: Resource; log?: Logger; bounds?: LogBounds; into?: ClusterStore } = {},
): Promise<LoadedSnapshot | undefined> {
  let manifests: SnapshotManifest[]
  try {
    manifests = await listSnapshots(js)
  } catch {
    return undefined // no snapshot stream (never snapshotted, or no right to read it)
  }
  if (manifests.length === 0) return undefined
  const bounds = o.bounds ?? (await logBounds(js))
  const maxRev = Math.min(o.maxRev ?? Infinity, bounds.lastSeq)
  for (const m of manifests) {
    if (m.rev > maxRev || m.rev + 1 < bounds.firstSeq) continue
    const skip = (reason: string) => o.log?.warn('snapshot skipped', { rev: m.rev, reason })
    if (m.logCreated !== bounds.created) {
      skip(`taken from another log (created ${m.logCreated}, this one ${bounds.created})`)
      continue
    }
    const why = incompatibility(m)
    if (why) {
      skip(why)
      continue
    }
    try {
      const t0 = performance.now()
      const decoder = new SnapshotDecoder(o.only)
      let decodeMs = 0
      await streamSnapshot(js, m, (chunk) => {
        const t = performance.now()
        decoder.push(chunk)
        decodeMs += performance.now() - t
      })
      const t1 = performance.now()
      const { header, store } = decoder.finish(o.into)
      if (header.rev !== m.rev) throw new Error(`header says revision ${header.rev}, manifest ${m.rev}`)
      decodeMs += performance.now() - t1
      return { store, manifest: m, readMs: Math.round(performance.now() - t0 - decodeMs), decodeMs: Math.round(decodeMs) }
    } catch (e) {
      // SnapshotError (truncated, corrupt) or a read that failed: the log still has everything.
      skip(isSnapshotError(e) ? `${e.code}: ${e.message}` : (e as Error).message)
    }
  }
  return undefined
}
