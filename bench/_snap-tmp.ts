import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureLogStream } from '../runtime/event-log/stream.js'
import { logger, setLogLevel } from '../runtime/log.js'
import { connectNats } from '../runtime/nats/connect.js'
import { startNatsServer } from '../runtime/nats/server.js'
import { clusterStoreAt } from '../runtime/projections/at-revision.js'
import { captureSnapshot, decodeSnapshot } from '../runtime/projections/snapshot-codec.js'
import { ensureSnapshotStream, listSnapshots, readSnapshotBytes, writeSnapshot } from '../runtime/projections/snapshot-store.js'
import { lifecycleHistory, publishHistory } from './_log.js'
setLogLevel('warn')
const dir = mkdtempSync(join(tmpdir(), 'kstate-snapt-'))
const nats = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'pid'), passwords: { controlPlane: 'cp', node: 'n' }, log: logger('x') })
const nc = await connectNats({ url: nats.url, user: 'control-plane', pass: 'cp' }, 'b')
const jsm = await jetstreamManager(nc)
await ensureLogStream(jsm); await ensureSnapshotStream(jsm)
const js = jetstream(nc)
await publishHistory(js, lifecycleHistory({ pods: 20000, nodes: 500 }))
let t = performance.now()
const { store, bounds } = await clusterStoreAt(js, Infinity, { noSnapshot: true })
console.log('full replay', Math.round(performance.now() - t)); t = performance.now()
const cap = captureSnapshot(store); console.log('capture', Math.round(performance.now() - t)); t = performance.now()
const m = await writeSnapshot(js, jsm, cap, bounds.created); console.log('write', Math.round(performance.now() - t), m.bytes, m.chunks); t = performance.now()
const [mm] = await listSnapshots(js); console.log('list', Math.round(performance.now() - t)); t = performance.now()
const bytes = await readSnapshotBytes(js, mm); console.log('read', Math.round(performance.now() - t)); t = performance.now()
decodeSnapshot(bytes); console.log('decode', Math.round(performance.now() - t)); t = performance.now()
await clusterStoreAt(js, Infinity); console.log('at(latest) via snapshot', Math.round(performance.now() - t))
await nc.drain(); await nats.stop(); process.exit(0)
