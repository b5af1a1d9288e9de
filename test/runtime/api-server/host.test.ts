/** The api-server host on a real nats-server: its NATS endpoint, retries of internal writes, read-your-writes. */
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { API_REQUEST_SUBJECT, decode, logResourceFilter, type ApiResponse } from '../../../events/index.js'
import { natsApiClient } from '../../../runtime/api/nats-client.js'
import { ApiServerHost } from '../../../runtime/api-server/host.js'
import { realClock } from '../../../runtime/clock/clock.js'
import { ensureLogStream } from '../../../runtime/event-log/stream.js'
import { tailLog, type Tail } from '../../../runtime/event-log/tail.js'
import { logger, setLogLevel } from '../../../runtime/log.js'
import { connectNats } from '../../../runtime/nats/connect.js'
import { startNatsServer, type RunningNatsServer } from '../../../runtime/nats/server.js'
import { ClusterStore } from '../../../runtime/projections/cluster-store.js'
import { removeDir } from '../../e2e/cluster.js'

setLogLevel('error')
const dir = mkdtempSync(join(tmpdir(), 'kstate-host-'))
let server: RunningNatsServer
let nc: NatsConnection
let nodeNc: NatsConnection
let host: ApiServerHost
let tail: Tail
const store = new ClusterStore()

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } })

test.before(async () => {
  server = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'pid'), passwords: { controlPlane: 'cp', node: 'n' }, log: logger('test') })
  nc = await connectNats({ url: server.url, user: 'control-plane', pass: 'cp' }, 'cp')
  await ensureLogStream(await jetstreamManager(nc))
  const js = jetstream(nc)
  host = new ApiServerHost({ js, store, clock: realClock, log: logger('api-server') })
  tail = await tailLog(js, { filter: logResourceFilter('>'), onEvent: (r) => store.apply(r) })
  await tail.caughtUp
  host.ready()
  host.serveNats(nc)
  nodeNc = await connectNats({ url: server.url, user: 'node', pass: 'n' }, 'node')
})
test.after(async () => {
  host.stop()
  await tail.stop()
  await nodeNc.drain()
  await nc.drain()
  await server.stop()
  removeDir(dir)
})

test('a write is readable from the projection as soon as it is answered', async () => {
  const r = await host.request({ verb: 'create', resource: 'pods', namespace: 'default', object: pod('ryw') }, { user: 'admin' })
  assert.ok(r.ok)
  assert.is(store.pods.get('default/ryw')?.metadata?.resourceVersion, String(r.ok && r.rev))
})

test('a node process reaches the api-server over NATS, as its own identity', async () => {
  const api = natsApiClient(nodeNc, 'system:node:n1')
  const r = await api.request({ verb: 'create', resource: 'pods', namespace: 'default', object: pod('from-node') })
  assert.ok(r.ok, JSON.stringify(r))
})

test('a malformed request frame is answered 400 and counted; the endpoint keeps serving', async () => {
  const m = await nodeNc.request(API_REQUEST_SUBJECT, new Uint8Array([0xc1, 0xff, 0x00]), { timeout: 2000 })
  const r = decode<ApiResponse>(m.data)
  assert.is(r.ok, false)
  assert.is(!r.ok && r.status.code, 400)
  assert.is(host.malformed, 1)
  const ok = await natsApiClient(nodeNc, 'x').request({ verb: 'create', resource: 'pods', namespace: 'default', object: pod('still-serving') })
  assert.ok(ok.ok)
})

test('concurrent internal writes to one object all land: a stale view is retried, not a 409', async () => {
  await host.request({ verb: 'create', resource: 'pods', namespace: 'default', object: pod('busy') }, { user: 'admin' })
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      host.request({ verb: 'updateStatus', resource: 'pods', namespace: 'default', name: 'busy', status: { phase: 'Pending', message: `update ${i}` } }, { user: 'kubelet' }),
    ),
  )
  assert.ok(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok)))
})

test('a client\'s stale resourceVersion is its own 409, never retried', async () => {
  const cur = store.pods.get('default/busy')!
  const stale = { ...cur, metadata: { ...cur.metadata, resourceVersion: '1', labels: { a: 'b' } } }
  const r = await host.request({ verb: 'update', resource: 'pods', namespace: 'default', name: 'busy', object: stale }, { user: 'admin' })
  assert.is(!r.ok && r.status.reason, 'Conflict')
})

test.run()
