import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { LOG_PREFIX, LOG_STREAM } from '../../events/index.js'
import { dataDirPaths, loadOrCreateCredentials } from '../cluster/data-dir.js'
import { ErrorCode, KstateError } from '../errors.js'
import { ensureLogStream } from '../event-log/stream.js'
import type { Logger } from '../log.js'
import { connectNats } from '../nats/connect.js'
import { startNatsServer } from '../nats/server.js'
import { readExportFrames, verifyExportFile, type ExportHeader } from './format.js'

/** Appends issued before waiting for their acknowledgements; one connection keeps them in order. */
const IN_FLIGHT = 256
/**
 * Placeholders for revisions the exported log did not have (deleted messages, a purged start):
 * published so JetStream's next sequence is the exported revision, then deleted, which leaves
 * the same gap. Their subject names no resource, so no projection could read one meanwhile.
 */
const gapSubject = (rev: number) => `${LOG_PREFIX}._gap._.r${rev}`

export interface ImportResult {
  header: ExportHeader
  /** Revisions filled and deleted again to keep every event at its exported revision. */
  gaps: number
}

/**
 * `kstate import FILE --data-dir DIR`: a new cluster store from an export. The whole file is
 * checked first (a truncated or altered one is refused and nothing is created); then nats-server
 * is started on DIR's new store and every event appended in order, each expecting the stream's
 * last sequence to be the revision before it, so each lands at its exported revision: the
 * imported cluster has the same objects, uids and resourceVersions. `kstate up --data-dir DIR`
 * then runs it, `kstate replay --data-dir DIR` browses it.
 */
export async function importLog(o: { file: string; dataDir: string; log: Logger; onVerify?(rev: number): void; onAppend?(rev: number): void }): Promise<ImportResult> {
  const header = await verifyExportFile(o.file, (rev) => o.onVerify?.(rev))
  const paths = dataDirPaths(o.dataDir)
  if (existsSync(paths.nats) && readdirSync(paths.nats).length > 0) {
    throw new KstateError(ErrorCode.BadInput, `${paths.root} already holds a cluster store (${paths.nats}): import into a new data dir`)
  }
  const creds = loadOrCreateCredentials(o.dataDir)
  const server = await startNatsServer({ storeDir: paths.nats, pidFile: paths.natsPid, passwords: { controlPlane: creds.controlPlanePassword, node: creds.nodePassword }, log: o.log.child('nats-server') })
  let done = false
  try {
    const nc = await connectNats({ url: server.url, user: 'control-plane', pass: creds.controlPlanePassword }, 'kstate-import')
    try {
      const jsm = await jetstreamManager(nc)
      await ensureLogStream(jsm)
      const js = jetstream(nc)
      const gaps = await appendAll(js, o.file, o.onAppend)
      for (const rev of gaps) await jsm.streams.deleteMessage(LOG_STREAM, rev, false)
      const state = (await jsm.streams.info(LOG_STREAM)).state
      if (state.messages !== header.events || (header.events > 0 && state.last_seq !== header.lastRev)) {
        throw new Error(`the imported log holds ${state.messages} events up to revision ${state.last_seq}; the file has ${header.events} up to ${header.lastRev}`)
      }
      done = true
      return { header, gaps: gaps.length }
    } finally {
      await nc.drain().catch(() => {})
    }
  } finally {
    await server.stop()
    // A half-imported store is no cluster: remove it, so the import can simply be run again.
    if (!done) rmSync(paths.nats, { recursive: true, force: true })
  }
}

/** Appends every frame at its revision; returns the placeholder revisions to delete. */
async function appendAll(js: JetStreamClient, file: string, onAppend?: (rev: number) => void): Promise<number[]> {
  const gaps: number[] = []
  const inFlight: Promise<unknown>[] = []
  let next = 1
  const append = (subject: string, data: Uint8Array, rev: number) => {
    const p = js.publish(subject, data, { expect: { lastSequence: rev - 1 } }).then((ack) => {
      if (ack.seq !== rev) throw new Error(`revision ${rev} was stored as ${ack.seq}`)
    })
    p.catch(() => {})
    inFlight.push(p)
  }
  const drain = async (limit: number) => {
    while (inFlight.length > limit) await inFlight.shift()
  }
  // The file is read again here, checked again as it goes: it must not have changed since it was verified.
  for await (const f of readExportFrames(file)) {
    for (; next < f.rev; next++) {
      append(gapSubject(next), new Uint8Array([0xc0]), next)
      gaps.push(next)
      await drain(IN_FLIGHT)
    }
    append(f.subject, f.data, f.rev)
    next = f.rev + 1
    onAppend?.(f.rev)
    await drain(IN_FLIGHT)
  }
  await drain(0)
  return gaps
}
