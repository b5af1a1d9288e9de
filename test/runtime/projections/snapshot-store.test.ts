/**
 * Snapshots in JetStream on a real nats-server: the newest valid one at or below a revision seeds
 * the projection; a corrupt, incompatible or foreign one is skipped with one warning; the
 * projection at any revision equals the full replay up to it.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encode, encodeEvent, SNAPSHOT_PREFIX } from '../../../events/index.js'
import { ensureLogStream } from '../../../runtime/event-log/stream.js'
import { logger, setLogLevel, setLogSink } from '../../../runtime/log.js'
import { connectNats } from '../../../runtime/nats/connect.js'
import { startNatsServer, type RunningNatsServer } from '../../../runtime/nats/server.js'
import { clusterStoreAt } from '../../../runtime/projections/at-revision.js'
import { projectionHash } from '../../../runtime/projections/hash.js'
import { captureSnapshot } from '../../../runtime/projections/snapshot-codec.js'
import { logBounds } from '../../../runtime/projections/snapshot-load.js'
import { ensureSnapshotStream, listSnapshots, SNAPSHOTS_KEPT, writeSnapshot, type SnapshotManifest } from '../../../runtime/projections/snapshot-store.js'
import { removeDir } from '../../e2e/cluster.js'
import { randomHistory } from '../../support/random-history.js'

setLogLevel('warn')
const lines: string[] = []
setLogSink((l) => lines.push(l))
const log = logger('test')
const dir = mkdtempSync(join(tmpdir(), 'kstate-snap-'))
let server: RunningNatsServer
let nc: NatsConnection
let js: JetStreamClient
let jsm: JetStreamManager
const history = randomHistory(2026, 1_000)

async function publish(from: number, to: number) {
  for (const e of history.slice(from, to)) await js.publish(e.subject, encodeEvent(e.event))
}
async function snapshotNow(): Promise<SnapshotManifest> {
  const { store, bounds } = await clusterStoreAt(js, Infinity, { noSnapshot: true })
  return writeSnapshot(js, jsm, captureSnapshot(store), bounds.created)
}
const fullHashAt = async (rev: number) => projectionHash((await clusterStoreAt(js, rev, { noSnapshot: true })).store)

test.before(async () => {
  server = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'pid'), passwords: { controlPlane: 'cp', node: 'n' }, log })
  nc = await connectNats({ url: server.url, user: 'control-plane', pass: 'cp' }, 'test')
  jsm = await jetstreamManager(nc)
  await ensureLogStream(jsm)
  await ensureSnapshotStream(jsm)
  js = jetstream(nc)
})
test.after(async () => {
  await nc.drain()
  await server.stop()
  removeDir(dir)
})

test('without snapshots the projection at a revision is the replay up to it', async () => {
  await publish(0, 200)
  const at = await clusterStoreAt(js, 120)
  assert.is(at.snapshotRev, 0)
  assert.is(at.store.rev, 120)
  assert.is.not(projectionHash(at.store), projectionHash((await clusterStoreAt(js, Infinity)).store))
})

test('snapshots are kept newest-first, the oldest beyond the limit pruned', async () => {
  const revs: number[] = []
  for (let i = 1; i <= SNAPSHOTS_KEPT + 1; i++) {
    await publish(i * 200, i * 200 + 200) // 400, 600, 800, 1000 events in the log
    revs.push((await snapshotNow()).rev)
  }
  const listed = await listSnapshots(js)
  assert.equal(listed.map((m) => m.rev), revs.slice(1).reverse())
  assert.ok(listed.every((m) => m.chunks >= 1 && m.sha256.length === 64))
})

test('at(rev) = newest snapshot at or below rev + the tail up to rev, same hash as the full replay', async () => {
  const snaps = (await listSnapshots(js)).map((m) => m.rev)
  for (const rev of [1, 350, snaps[2], snaps[2] + 1, snaps[1] - 1, snaps[1], 777, 1000, 5000]) {
    const at = await clusterStoreAt(js, rev)
    const expectedSnap = snaps.filter((s) => s <= rev)[0] ?? 0
    assert.is(at.snapshotRev, expectedSnap, `rev ${rev}`)
    assert.is(projectionHash(at.store), await fullHashAt(rev), `rev ${rev}`)
  }
})

test('a corrupt snapshot is skipped with one warning and the next older one used', async () => {
  const [newest, older] = await listSnapshots(js)
  await js.publish(`${SNAPSHOT_PREFIX}.manifests`, encode({ ...newest, seq: undefined, sha256: 'f'.repeat(64) })) // a manifest whose chunks don't match it
  lines.length = 0
  const at = await clusterStoreAt(js, Infinity, { log })
  const warnings = lines.filter((l) => l.includes('snapshot skipped'))
  assert.is(warnings.length, 1, lines.join('\n'))
  assert.match(warnings[0], /checksum mismatch/)
  // The intact copy of the newest snapshot is listed after the tampered one: it is the one used.
  assert.is(at.snapshotRev, newest.rev)
  assert.is(projectionHash(at.store), await fullHashAt(Infinity))
  assert.ok(older.rev < newest.rev)
})

test('incompatible and foreign snapshots are skipped, falling back to the full replay', async () => {
  const bounds = await logBounds(js)
  const top = bounds.lastSeq
  const [newest] = await listSnapshots(js)
  // Claim a newer revision for both bad ones so they come first.
  await js.publish(`${SNAPSHOT_PREFIX}.manifests`, encode({ ...newest, seq: undefined, rev: top, format: 99 }))
  await js.publish(`${SNAPSHOT_PREFIX}.manifests`, encode({ ...newest, seq: undefined, rev: top, logCreated: '2000-01-01T00:00:00Z' }))
  lines.length = 0
  const at = await clusterStoreAt(js, Infinity, { log })
  const warnings = lines.filter((l) => l.includes('snapshot skipped'))
  assert.ok(warnings.some((l) => /format 99/.test(l)), warnings.join('\n'))
  assert.ok(warnings.some((l) => /another log/.test(l)), warnings.join('\n'))
  assert.ok(at.snapshotRev <= newest.rev)
  assert.is(projectionHash(at.store), await fullHashAt(Infinity))
})

test.run()
