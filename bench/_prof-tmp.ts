import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { logResourceFilter } from '../events/index.js'
import { ensureLogStream } from '../runtime/event-log/stream.js'
import { tailLog } from '../runtime/event-log/tail.js'
import { logger, setLogLevel } from '../runtime/log.js'
import { connectNats } from '../runtime/nats/connect.js'
import { startNatsServer } from '../runtime/nats/server.js'
import { ClusterStore } from '../runtime/projections/cluster-store.js'
import { lifecycleHistory, publishHistory } from './_log.js'
setLogLevel('warn')
const dir = mkdtempSync(join(tmpdir(), 'kstate-prof-'))
const nats = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'pid'), passwords: { controlPlane: 'cp', node: 'n' }, log: logger('x') })
const nc = await connectNats({ url: nats.url, user: 'control-plane', pass: 'cp' }, 'b')
await ensureLogStream(await jetstreamManager(nc))
const js = jetstream(nc)
const total = await publishHistory(js, lifecycleHistory({ pods: 45000, nodes: 500, deleteEvery: 4 }))
const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.start')
import { DeliverPolicy } from '@nats-io/jetstream'
import { decode, LOG_STREAM } from '../events/index.js'
for (let r = 0; r < 2; r++) {
  const consumer = await js.consumers.get(LOG_STREAM, { filter_subjects: logResourceFilter('>'), deliver_policy: DeliverPolicy.All })
  let n = 0; let done!: () => void; const fin = new Promise<void>((r) => (done = r))
  const c0 = process.cpuUsage(); const t0 = performance.now()
  const msgs = await consumer.consume({ max_messages: 5_000, callback: (m) => { decode(m.data); if (++n === total) done() } })
  await fin
  const c = process.cpuUsage(c0)
  console.log('raw', Math.round(total / ((performance.now() - t0) / 1000)), '/s wall', Math.round(total / ((c.user + c.system) / 1e6)), '/cpu-s')
  await msgs.close()
}
for (let r = 0; r < 2; r++) {
  const store = new ClusterStore()
  const c0 = process.cpuUsage(); const t0 = performance.now()
  const tail = await tailLog(js, { filter: logResourceFilter('>'), onEvent: (rec) => store.apply(rec) })
  await tail.caughtUp
  const c = process.cpuUsage(c0)
  console.log(total, 'events', Math.round(total / ((performance.now() - t0) / 1000)), '/s wall', Math.round(total / ((c.user + c.system) / 1e6)), '/cpu-s')
  await tail.stop()
}
const { profile } = await s.post('Profiler.stop')
writeFileSync('/tmp/rebuild.cpuprofile', JSON.stringify(profile))
await nc.drain(); await nats.stop(); process.exit(0)
