/**
 * The control plane snapshots its projection every N revisions and starts from the newest valid
 * snapshot + the tail: same state (content hash) as a full replay, and a corrupt snapshot costs one
 * warning and a full replay, never a wrong state.
 */
import { jetstream, type JetStreamClient } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encode, SNAPSHOT_PREFIX } from '../../../events/index.js'
import type { ControlPlane } from '../../../runtime/cluster/control-plane.js'
import { logger, setLogLevel, setLogSink } from '../../../runtime/log.js'
import { clusterStoreAt } from '../../../runtime/projections/at-revision.js'
import { projectionHash } from '../../../runtime/projections/hash.js'
import { listSnapshots } from '../../../runtime/projections/snapshot-store.js'
import { connectNats } from '../../../runtime/nats/connect.js'
import { until } from '../../e2e/cluster.js'
import { startTestNats, type TestCluster } from '../../support/control-plane.js'

setLogLevel('info')
const lines: string[] = []
setLogSink((l) => lines.push(l))
const log = logger('test')
let cluster: TestCluster
let nc: NatsConnection
let js: JetStreamClient

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } })
async function createPods(cp: ControlPlane, prefix: string, n: number) {
  for (let i = 0; i < n; i++) {
    const r = await cp.api.request({ verb: 'create', resource: 'pods', namespace: 'default', object: pod(`${prefix}-${i}`) }, { user: 'admin' })
    assert.ok(r.ok, JSON.stringify(r))
  }
}
const readyLine = () => lines.filter((l) => l.includes('control plane ready')).at(-1) ?? ''

test.before(async () => {
  cluster = await startTestNats(log)
  nc = await connectNats(cluster.natsTarget, 'test')
  js = jetstream(nc)
})
test.after(async () => {
  await nc.drain()
  await cluster.stop()
})

test('every N revisions a snapshot is written; a restart loads it and replays only the tail', async () => {
  const cp = await cluster.start({ snapshotIntervalEvents: 25 })
  await createPods(cp, 'a', 60)
  await until(async () => (await listSnapshots(js)).some((m) => m.rev >= 50), 10_000, 'a snapshot at ≥ 50')
  await createPods(cp, 'b', 3)
  const before = projectionHash(cp.store)
  await cp.stop()
  const [newest] = await listSnapshots(js)

  lines.length = 0
  const again = await cluster.start({ snapshotIntervalEvents: 0 })
  assert.match(readyLine(), new RegExp(`snapshot=${newest.rev}\\b`))
  assert.is(projectionHash(again.store), before)
  const full = await clusterStoreAt(js, Infinity, { noSnapshot: true })
  assert.is(projectionHash(again.store), projectionHash(full.store))
  // Writes continue where the log is: compare-and-set on subjects restored from the snapshot.
  const edited = { ...pod('a-0'), metadata: { ...pod('a-0').metadata, labels: { edited: 'yes' } } }
  const r = await again.api.request({ verb: 'update', resource: 'pods', namespace: 'default', name: 'a-0', object: edited }, { user: 'admin' })
  assert.ok(r.ok, JSON.stringify(r))
  assert.is(again.store.pods.get('default/a-0')?.metadata?.labels?.edited, 'yes')
  await again.stop()
})

test('a corrupt newest snapshot: one warning, the older one or full replay, same state', async () => {
  const cp = await cluster.start({ snapshotIntervalEvents: 0 })
  const [newest] = await listSnapshots(js)
  await js.publish(`${SNAPSHOT_PREFIX}.manifests`, encode({ ...newest, seq: undefined, sha256: '0'.repeat(64) })) // same chunks, wrong checksum; newer, so tried first
  const expected = projectionHash(cp.store)
  await cp.stop()

  lines.length = 0
  const again = await cluster.start({ snapshotIntervalEvents: 0 })
  const warnings = lines.filter((l) => l.includes('WARN'))
  assert.is(warnings.length, 1, warnings.join('\n'))
  assert.match(warnings[0], /snapshot skipped .*checksum mismatch/)
  assert.match(readyLine(), new RegExp(`snapshot=${newest.rev}\\b`))
  assert.is(projectionHash(again.store), expected)
  await again.stop()
})

test.run()
