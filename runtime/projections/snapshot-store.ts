import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream'
import { createHash } from 'node:crypto'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { decode, encode, SNAPSHOT_PREFIX, SNAPSHOT_STREAM } from '../../events/index.js'
import { readStream } from '../event-log/read.js'
import { encodeSnapshot, SnapshotError, SnapshotErrorCode, type SnapshotCapture, type SnapshotHeader } from './snapshot-codec.js'

/**
 * Snapshots live in their own stream, not in a KV bucket (`@nats-io/obj` is not a dependency):
 * a snapshot is a run of chunk messages on `kstate.snapshot.chunks.<rev>` followed by a manifest
 * on `kstate.snapshot.manifests`. One ordered consumer reads a whole snapshot as one flow (KV would
 * cost a request per chunk), one filtered purge drops it, and the manifest, written last, makes a
 * half-written snapshot invisible.
 */
const MANIFEST_SUBJECT = `${SNAPSHOT_PREFIX}.manifests`
const chunkSubject = (rev: number) => `${SNAPSHOT_PREFIX}.chunks.${rev}`

/** Snapshots kept: the newest seeds a restart; older ones serve `at(rev)` and watches from further back. */
export const SNAPSHOTS_KEPT = 3
/** Chunk size: under NATS' default max_payload (1 MiB), so any server takes it. */
const CHUNK_BYTES = 1024 * 1024 - 64 * 1024

export interface SnapshotManifest extends Pick<SnapshotHeader, 'format' | 'rev' | 'schemaVersions' | 'counts'> {
  /** Stream sequence of the first chunk; the chunks are the next `chunks` messages on the rev's subject. */
  firstSeq: number
  chunks: number
  bytes: number
  /** sha256 (hex) of the concatenated chunks. */
  sha256: string
  /** Creation time of the log stream the snapshot was taken from: a recreated log makes it foreign. */
  logCreated: string
  takenAt: string
  /** Set when listing: the manifest's own sequence. */
  seq?: number
}

export async function ensureSnapshotStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(SNAPSHOT_STREAM)
    return
  } catch {
    // not found: create below
  }
  await jsm.streams.add({
    name: SNAPSHOT_STREAM,
    subjects: [`${SNAPSHOT_PREFIX}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    num_replicas: 1,
  })
}

/**
 * Writes a captured snapshot: frames are encoded one batch per event-loop turn, so the api-server
 * keeps answering while a large projection is written. Returns its manifest; older snapshots
 * beyond SNAPSHOTS_KEPT are removed.
 */
export async function writeSnapshot(js: JetStreamClient, jsm: JetStreamManager, c: SnapshotCapture, logCreated: string, now: () => number = Date.now): Promise<SnapshotManifest> {
  const subject = chunkSubject(c.header.rev)
  await jsm.streams.purge(SNAPSHOT_STREAM, { filter: subject }) // leftovers of a write that died
  const sha = createHash('sha256')
  let firstSeq = 0
  let chunks = 0
  let bytes = 0
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  const flush = async () => {
    if (pendingBytes === 0) return
    const chunk = Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    for (let at = 0; at < chunk.length; at += CHUNK_BYTES) {
      const piece = chunk.subarray(at, at + CHUNK_BYTES)
      sha.update(piece)
      const ack = await js.publish(subject, piece)
      if (chunks === 0) firstSeq = ack.seq
      chunks++
      bytes += piece.length
    }
  }
  for (const frame of encodeSnapshot(c)) {
    pending.push(frame)
    pendingBytes += frame.length
    if (pendingBytes >= CHUNK_BYTES) await flush()
    await nextTurn()
  }
  await flush()
  const { format, rev, schemaVersions, counts } = c.header
  const manifest: SnapshotManifest = { format, rev, schemaVersions, counts, firstSeq, chunks, bytes, sha256: sha.digest('hex'), logCreated, takenAt: new Date(now()).toISOString() }
  await js.publish(MANIFEST_SUBJECT, encode(manifest))
  await pruneSnapshots(js, jsm, SNAPSHOTS_KEPT)
  return manifest
}

/** Every complete snapshot, newest revision first. */
export async function listSnapshots(js: JetStreamClient): Promise<SnapshotManifest[]> {
  const frames = await readStream(js, SNAPSHOT_STREAM, { filter: MANIFEST_SUBJECT })
  const out: SnapshotManifest[] = []
  for (const f of frames) {
    try {
      out.push({ ...decode<SnapshotManifest>(f.data), seq: f.seq })
    } catch {
      // an unreadable manifest hides its snapshot; the log still has everything
    }
  }
  return out.sort((a, b) => b.rev - a.rev || (b.seq ?? 0) - (a.seq ?? 0))
}

async function pruneSnapshots(js: JetStreamClient, jsm: JetStreamManager, keep: number): Promise<void> {
  const all = await listSnapshots(js)
  const kept = new Set(all.slice(0, keep).map((m) => m.rev))
  for (const m of all.slice(keep)) {
    if (!kept.has(m.rev)) await jsm.streams.purge(SNAPSHOT_STREAM, { filter: chunkSubject(m.rev) })
    await jsm.streams.deleteMessage(SNAPSHOT_STREAM, m.seq!, false)
  }
}

/**
 * Hands a snapshot's chunks to `onChunk` as they arrive (decoding overlaps the fetch), then checks
 * them against the manifest (count, size, sha256). Throws SnapshotError: the caller discards what
 * `onChunk` built.
 */
export async function streamSnapshot(js: JetStreamClient, m: SnapshotManifest, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  const sha = createHash('sha256')
  let chunks = 0
  let bytes = 0
  let firstSeq = 0
  await readStream(js, SNAPSHOT_STREAM, {
    filter: chunkSubject(m.rev),
    startSeq: m.firstSeq,
    max: m.chunks,
    each: (f) => {
      if (chunks++ === 0) firstSeq = f.seq
      bytes += f.data.length
      sha.update(f.data)
      onChunk(f.data)
    },
  })
  if (chunks !== m.chunks || firstSeq !== m.firstSeq) throw new SnapshotError(SnapshotErrorCode.Truncated, `${chunks} of ${m.chunks} chunks found`)
  if (bytes !== m.bytes) throw new SnapshotError(SnapshotErrorCode.Truncated, `${bytes} of ${m.bytes} bytes found`)
  const digest = sha.digest('hex')
  if (digest !== m.sha256) throw new SnapshotError(SnapshotErrorCode.Corrupt, `checksum mismatch (sha256 ${digest.slice(0, 12)}…, manifest ${m.sha256.slice(0, 12)}…)`)
}

/** Reads a snapshot's bytes and checks them against its manifest (count, size, sha256). Throws SnapshotError. */
export async function readSnapshotBytes(js: JetStreamClient, m: SnapshotManifest): Promise<Uint8Array> {
  const frames = await readStream(js, SNAPSHOT_STREAM, { filter: chunkSubject(m.rev), startSeq: m.firstSeq, max: m.chunks })
  if (frames.length !== m.chunks || (frames.length > 0 && frames[0].seq !== m.firstSeq)) {
    throw new SnapshotError(SnapshotErrorCode.Truncated, `${frames.length} of ${m.chunks} chunks found`)
  }
  const bytes = Buffer.concat(frames.map((f) => f.data))
  if (bytes.length !== m.bytes) throw new SnapshotError(SnapshotErrorCode.Truncated, `${bytes.length} of ${m.bytes} bytes found`)
  const sha = createHash('sha256').update(bytes).digest('hex')
  if (sha !== m.sha256) throw new SnapshotError(SnapshotErrorCode.Corrupt, `checksum mismatch (sha256 ${sha.slice(0, 12)}…, manifest ${m.sha256.slice(0, 12)}…)`)
  return bytes
}

