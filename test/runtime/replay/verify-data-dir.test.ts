/**
 * `--data-dir DIR`: the log of a stopped cluster is read from its JetStream store (nats-server
 * started on it for the time of the read) and verifies as its export does; a running cluster's
 * data dir is refused.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { LogEvent, Recorded } from '../../../events/index.js'
import { dataDirPaths, loadOrCreateCredentials } from '../../../runtime/cluster/data-dir.js'
import { appendEvent } from '../../../runtime/event-log/append.js'
import { ensureLogStream } from '../../../runtime/event-log/stream.js'
import { readExportFile } from '../../../runtime/export/format.js'
import { logger, setLogLevel } from '../../../runtime/log.js'
import { connectNats } from '../../../runtime/nats/connect.js'
import { startNatsServer } from '../../../runtime/nats/server.js'
import { formatResult } from '../../../runtime/replay/verify/report.js'
import { openDataDirHistory } from '../../../runtime/replay/verify/sources.js'
import { verifyHistory } from '../../../runtime/replay/verify/verifier.js'
import { goldenPath } from '../../golden/files.js'

setLogLevel('error')
const log = logger('test')
let dir: string
let golden: Recorded<LogEvent>[]

/** A data dir as `kstate up` leaves it after a run that recorded `history`, the cluster stopped. */
async function recordedDataDir(history: Recorded<LogEvent>[]): Promise<string> {
  const d = mkdtempSync(join(tmpdir(), 'kstate-verify-'))
  const creds = loadOrCreateCredentials(d)
  const p = dataDirPaths(d)
  const server = await startNatsServer({ storeDir: p.nats, pidFile: p.natsPid, passwords: { controlPlane: creds.controlPlanePassword, node: creds.nodePassword }, log })
  const nc = await connectNats({ url: server.url, user: 'control-plane', pass: creds.controlPlanePassword }, 'test')
  try {
    await ensureLogStream(await jetstreamManager(nc))
    const js = jetstream(nc)
    const last = new Map<string, number>()
    for (const r of history) last.set(r.subject, await appendEvent(js, r.subject, r.event, last.get(r.subject) ?? 0))
  } finally {
    await nc.drain()
    await server.stop()
  }
  return d
}

test.before(async () => {
  golden = []
  for await (const r of readExportFile(goldenPath('node-failure'))) golden.push(r)
  dir = await recordedDataDir(golden)
})
test.after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test('a stopped cluster\'s log verifies from its data dir, as its export does', async () => {
  const h = await openDataDirHistory(dir, log)
  try {
    const r = await verifyHistory({ history: h.events })
    assert.ok(r.ok, formatResult(r))
    assert.is(r.events, golden.length)
    assert.is(r.lastRev, golden.at(-1)!.rev)
  } finally {
    await h.close()
  }
})

test('a running cluster\'s data dir is refused with a one-line reason', async () => {
  // This process stands for the cluster's nats-server: its pid is alive.
  writeFileSync(dataDirPaths(dir).natsPid, String(process.pid))
  try {
    await openDataDirHistory(dir, log)
    assert.unreachable('should have refused')
  } catch (e) {
    assert.match((e as Error).message, 'is running')
    assert.match((e as Error).message, 'kstate export')
  } finally {
    rmSync(dataDirPaths(dir).natsPid, { force: true })
  }
})

test.run()
