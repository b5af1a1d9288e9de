import type { JetStreamClient } from '@nats-io/jetstream'
import type { Subscription } from 'rxjs'
import type { Logger } from '../log.js'
import type { ClusterStore } from './cluster-store.js'
import { captureSnapshot } from './snapshot-codec.js'
import { ensureSnapshotStream, writeSnapshot, type SnapshotManifest } from './snapshot-store.js'

/** etcd's `--snapshot-count` default: a snapshot costs time proportional to the cluster's size, so not too often. */
export const DEFAULT_SNAPSHOT_INTERVAL_EVENTS = 100_000

export interface SnapshotterOptions {
  js: JetStreamClient
  store: ClusterStore
  /** Revisions between snapshots; 0 disables them. */
  intervalEvents: number
  /** Revision of the snapshot the store was started from (0: none). */
  lastRev: number
  /** Creation time of the log stream (tags snapshots so a recreated log ignores them). */
  logCreated: string
  log: Logger
}

export interface Snapshotter {
  /** Takes a snapshot now unless one is being written (then waits for that one). */
  snapshotNow(): Promise<SnapshotManifest | undefined>
  /** Revision of the newest snapshot written or started from. */
  readonly lastRev: number
  /** Stops triggering; waits for a snapshot being written. */
  stop(): Promise<void>
}

/**
 * Snapshots the projection every `intervalEvents` revisions, and at once after a start that
 * replayed more than that. The state is captured synchronously between two events (objects are
 * immutable, so the capture is references, not copies); encoding and writing then run a batch per
 * event-loop turn beside the api-server's work.
 */
export function startSnapshotter(o: SnapshotterOptions): Snapshotter {
  let lastRev = o.lastRev
  let writing: Promise<SnapshotManifest | undefined> | undefined
  let stopped = false
  const log = o.log
  let sub: Subscription | undefined

  const take = (): Promise<SnapshotManifest | undefined> => {
    if (writing) return writing
    writing = (async () => {
      await new Promise((r) => setImmediate(r)) // leave the event that triggered us to finish
      const started = performance.now()
      const capture = captureSnapshot(o.store)
      const captureMs = performance.now() - started
      if (capture.header.rev === 0 || capture.header.rev === lastRev) return undefined
      try {
        const jsm = await o.js.jetstreamManager()
        await ensureSnapshotStream(jsm)
        const m = await writeSnapshot(o.js, jsm, capture, o.logCreated)
        lastRev = m.rev
        log.info('snapshot written', { rev: m.rev, pods: m.counts.pods, bytes: m.bytes, chunks: m.chunks, captureMs: Math.round(captureMs), ms: Math.round(performance.now() - started) })
        return m
      } catch (e) {
        // Retried after another interval: a snapshot only speeds restarts up, the log has everything.
        lastRev = capture.header.rev
        log.warn('snapshot failed', { rev: capture.header.rev, error: (e as Error).message })
        return undefined
      }
    })().finally(() => {
      writing = undefined
    })
    return writing
  }
  const due = () => !stopped && o.intervalEvents > 0 && o.store.rev - lastRev >= o.intervalEvents
  if (o.intervalEvents > 0) {
    sub = o.store.events$.subscribe(() => {
      if (!writing && due()) void take()
    })
    if (due()) void take()
  }
  return {
    snapshotNow: take,
    get lastRev() {
      return lastRev
    },
    async stop() {
      stopped = true
      sub?.unsubscribe()
      await writing
    },
  }
}
