/**
 * `kstate import` on a real nats-server: every event lands at its exported revision, gaps in the
 * exported log (deleted messages, a purged start) stay gaps, and a refused file creates nothing.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeEvent, LOG_STREAM, logSubject, type LogEvent } from '../../../events/index.js'
import { dataDirPaths, readCredentials } from '../../../runtime/cluster/data-dir.js'
import { isExportFormatError } from '../../../runtime/export/format.js'
import { importLog } from '../../../runtime/export/import.js'
import { writeExportFile, type RawRecord } from '../../../runtime/export/write.js'
import { logger, setLogLevel } from '../../../runtime/log.js'
import { connectNats } from '../../../runtime/nats/connect.js'
import { startNatsServer } from '../../../runtime/nats/server.js'
import { rawLog } from '../../../runtime/replay/log-reader.js'
import { removeDir } from '../../e2e/cluster.js'

setLogLevel('warn')
const dir = mkdtempSync(join(tmpdir(), 'kstate-import-'))
test.after(() => removeDir(dir))
const log = logger('test')

const created = (name: string): LogEvent =>
  ({ type: 'PodCreated', v: 1, at: 1, by: 'admin', data: { object: { metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } }) as LogEvent

async function exportOf(name: string, revs: number[]): Promise<{ path: string; records: RawRecord[] }> {
  const records = revs.map((rev) => ({ rev, subject: logSubject('pods', 'default', `p${rev}`), data: encodeEvent(created(`p${rev}`)) }))
  const path = join(dir, `${name}.kslog`)
  async function* gen() {
    yield* records
  }
  await writeExportFile(path, gen(), { createdBy: 'kstate/test' })
  return { path, records }
}

/** The imported store's log, read back through a nats-server on it. */
async function readBack(dataDir: string): Promise<{ records: RawRecord[]; first: number; last: number }> {
  const p = dataDirPaths(dataDir)
  const creds = readCredentials(dataDir)
  const server = await startNatsServer({ storeDir: p.nats, pidFile: p.natsPid, passwords: { controlPlane: creds.controlPlanePassword, node: creds.nodePassword }, log })
  const nc = await connectNats({ url: server.url, user: 'control-plane', pass: creds.controlPlanePassword }, 'test')
  try {
    const records: RawRecord[] = []
    for await (const r of rawLog(jetstream(nc))) records.push({ rev: r.rev, subject: r.subject, data: Uint8Array.from(r.data) })
    const state = (await (await jetstreamManager(nc)).streams.info(LOG_STREAM)).state
    return { records, first: state.first_seq, last: state.last_seq }
  } finally {
    await nc.drain()
    await server.stop()
  }
}

const norm = (rs: RawRecord[]) => rs.map((r) => ({ rev: r.rev, subject: r.subject, data: Buffer.from(r.data).toString('hex') }))

test('every event lands at its exported revision, with its exact bytes', async () => {
  const { path, records } = await exportOf('plain', [1, 2, 3, 4, 5])
  const target = join(dir, 'plain')
  const r = await importLog({ file: path, dataDir: target, log })
  assert.is(r.header.events, 5)
  assert.is(r.gaps, 0)
  const back = await readBack(target)
  assert.equal(norm(back.records), norm(records))
})

test('missing revisions stay missing: a purged start and deleted messages are reproduced', async () => {
  const { path, records } = await exportOf('gaps', [3, 4, 7, 8, 12])
  const target = join(dir, 'gaps')
  const r = await importLog({ file: path, dataDir: target, log })
  assert.is(r.gaps, 7) // 1, 2, 5, 6, 9, 10, 11
  const back = await readBack(target)
  assert.equal(norm(back.records), norm(records))
  assert.is(back.last, 12)
})

test('an altered file is refused before anything is created; a used data dir is refused', async () => {
  const { path } = await exportOf('tamper', [1, 2, 3])
  const bytes = readFileSync(path)
  bytes[bytes.length - 60] ^= 0x04
  const bad = join(dir, 'tampered.kslog')
  writeFileSync(bad, bytes)
  const target = join(dir, 'never')
  try {
    await importLog({ file: bad, dataDir: target, log })
    assert.unreachable('accepted')
  } catch (e) {
    assert.ok(isExportFormatError(e), String(e))
    assert.match(e.message, /refused at byte offset \d+/)
  }
  assert.not.ok(existsSync(target), 'nothing may be created for a refused file')
  try {
    await importLog({ file: path, dataDir: join(dir, 'plain'), log })
    assert.unreachable('imported over an existing store')
  } catch (e) {
    assert.match((e as Error).message, 'already holds a cluster store')
  }
})

test.run()
