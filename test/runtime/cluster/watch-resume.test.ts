/**
 * Watches honour resourceVersion: from a revision still in the log they resume with exactly the
 * changes after it (from a snapshot at or below it + the tail); from one older than the log keeps
 * they answer 410 Expired — on the request, or as a watch event of type ERROR once the stream began.
 * A recent one is answered from the watch cache (runtime/projections/watch-cache.ts).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LOG_STREAM } from '../../../events/index.js'
import type { ControlPlane } from '../../../runtime/cluster/control-plane.js'
import { logger, setLogLevel } from '../../../runtime/log.js'
import { clusterStoreAt } from '../../../runtime/projections/at-revision.js'
import { captureSnapshot } from '../../../runtime/projections/snapshot-codec.js'
import { ensureSnapshotStream, writeSnapshot } from '../../../runtime/projections/snapshot-store.js'
import { api, startTestNats, type TestCluster } from '../../support/control-plane.js'

setLogLevel('error')
const log = logger('test')
let cluster: TestCluster
let cp: ControlPlane

const pod = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } })
async function write(verb: 'create' | 'update', name: string, labels: Record<string, string> = {}): Promise<number> {
  const r = await cp.api.request({ verb, resource: 'pods', namespace: 'default', ...(verb === 'update' ? { name } : {}), object: pod(name, labels) } as never, { user: 'admin' })
  assert.ok(r.ok, JSON.stringify(r))
  return Number((r as { object: Pod }).object.metadata!.resourceVersion)
}
async function watch(query: string) {
  const r = await api(cp, cluster.tls.ca, 'GET', `/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1&${query}`, undefined, 5_000)
  const events = r.body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: { metadata?: { name?: string; labels?: Record<string, string> }; reason?: string; code?: number } })
  return { code: r.code, body: r.body, events }
}
async function snapshotHere(): Promise<number> {
  const js = jetstream(cp.nc)
  const jsm = await jetstreamManager(cp.nc)
  await ensureSnapshotStream(jsm)
  const { store, bounds } = await clusterStoreAt(js, Infinity, { noSnapshot: true })
  return (await writeSnapshot(js, jsm, captureSnapshot(store), bounds.created)).rev
}

test.before(async () => {
  cluster = await startTestNats(log)
  cp = await cluster.start({ snapshotIntervalEvents: 0 })
})
test.after(async () => {
  await cluster.stop()
})

let created = 0
let snap = 0
test('from a revision in the log: exactly the changes after it, in order, with selectors applied', async () => {
  created = await write('create', 'w1', { step: 'one' })
  await write('create', 'other')
  await write('update', 'w1', { step: 'two' })
  snap = await snapshotHere() // later watches start from this snapshot instead of revision 1
  await write('update', 'w1', { step: 'three' })
  await write('update', 'other', { x: 'y' })
  const r1 = await watch(`resourceVersion=${created}&fieldSelector=metadata.name%3Dw1`)
  assert.is(r1.code, 200)
  assert.equal(r1.events.map((e) => `${e.type} ${e.object.metadata?.labels?.step}`), ['MODIFIED two', 'MODIFIED three'])
  // From the snapshot's own revision and after it: resumes from the snapshot + tail.
  const r2 = await watch(`resourceVersion=${snap}`)
  assert.equal(r2.events.map((e) => `${e.type} ${e.object.metadata?.name}`), ['MODIFIED w1', 'MODIFIED other'])
  // The object before each change comes from the snapshot: entering the selector's scope is ADDED.
  const r3 = await watch(`resourceVersion=${snap}&labelSelector=step%3Dthree`)
  assert.equal(r3.events.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED w1'])
})

test('older than the log keeps: HTTP 410 with a Status, reason Expired', async () => {
  // Retention: drop every event before the snapshot's revision.
  await (await jetstreamManager(cp.nc)).streams.purge(LOG_STREAM, { seq: snap })
  const r = await watch(`resourceVersion=${created}`)
  assert.is(r.code, 410, r.body)
  const status = JSON.parse(r.body)
  assert.is(status.kind, 'Status')
  assert.is(status.reason, 'Expired')
  assert.is(status.code, 410)
  assert.match(status.message, new RegExp(`^too old resource version: ${created} \\(${snap - 1}\\)$`))
})

test('the events after it kept but not the state at it: ERROR event with the Status', async () => {
  // snap - 1 is the oldest revision kept; the only snapshot is at snap, after it: nothing to start from.
  const r = await watch(`resourceVersion=${snap - 1}`)
  assert.is(r.code, 200)
  assert.is(r.events.length, 1, r.body)
  assert.is(r.events[0].type, 'ERROR')
  assert.is(r.events[0].object.reason, 'Expired')
  assert.is(r.events[0].object.code, 410)
  // From the snapshot's revision the watch still resumes exactly.
  const ok = await watch(`resourceVersion=${snap}&fieldSelector=metadata.name%3Dw1`)
  assert.equal(ok.events.map((e) => `${e.type} ${e.object.metadata?.labels?.step}`), ['MODIFIED three'])
})

test('a recent resourceVersion is answered from the watch cache, even once the log before it is gone', async () => {
  // The watches above created the cache; these changes are in it.
  const from = await write('update', 'w1', { step: 'four' })
  await write('update', 'w1', { step: 'five' })
  await write('update', 'other', { x: 'z' })
  const jsm = await jetstreamManager(cp.nc)
  const last = (await jsm.streams.info(LOG_STREAM)).state.last_seq
  await jsm.streams.purge(LOG_STREAM, { seq: last }) // only the newest event is left in the log
  const r = await watch(`resourceVersion=${from}&fieldSelector=metadata.name%3Dw1`)
  assert.is(r.code, 200, r.body)
  assert.equal(r.events.map((e) => `${e.type} ${e.object.metadata?.labels?.step}`), ['MODIFIED five'])
})

test.run()
