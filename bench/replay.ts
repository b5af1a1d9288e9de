/**
 * replay: rebuild every projection (pods, nodes, replicasets, subject revisions) from a
 * 1,000,000-event log, as a control plane does on a start without snapshot. value = events/s;
 * baseline = raw JetStream consume + msgpack decode of the same stream (an ordered consumer, no
 * validation, no projection), in the same run. Each side runs twice, alternating, each from a
 * collected heap (neither pays for the garbage of the run before it); the faster run of each counts. The run exits non-zero unless the rebuilt projection holds what the history made.
 *
 *   npm run bench -- replay [--events 1000000]
 */
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream'
import { mkdtempSync, rmSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode, LOG_STREAM, logResourceFilter } from '../events/index.js'
import { ensureLogStream } from '../runtime/event-log/stream.js'
import { logger, setLogLevel } from '../runtime/log.js'
import { connectNats } from '../runtime/nats/connect.js'
import { startNatsServer } from '../runtime/nats/server.js'
import { ClusterStore } from '../runtime/projections/cluster-store.js'
import { followLog } from '../runtime/projections/follow.js'
import { eventsPerPod, lifecycleHistory, publishHistory } from './_log-fixture.js'
import { peakRssMb, report } from './report.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const EVENTS = arg('events', 1_000_000)
const DELETE_EVERY = 4
const NODES = 500
const PODS = Math.round(EVENTS / eventsPerPod(DELETE_EVERY))

setLogLevel('warn')
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void
const log = logger('bench')
const dir = mkdtempSync(join(tmpdir(), 'kstate-bench-replay-'))
const passwords = { controlPlane: 'bench-cp', node: 'bench-node' }
const nats = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'nats.pid'), passwords, log })

/** Raw: an ordered consumer over the whole stream, each message's bytes msgpack-decoded, nothing else. */
async function rawConsume(js: JetStreamClient, total: number): Promise<number> {
  const consumer = await js.consumers.get(LOG_STREAM, { filter_subjects: logResourceFilter('>'), deliver_policy: DeliverPolicy.All })
  let n = 0
  let done!: () => void
  const finished = new Promise<void>((r) => (done = r))
  const started = performance.now()
  const messages = await consumer.consume({
    max_messages: 5_000,
    callback: (m) => {
      decode(m.data)
      if (++n === total) done()
    },
  })
  await finished
  const secs = (performance.now() - started) / 1000
  await messages.close()
  return total / secs
}

/** kstate: what a starting control plane does — follow the log into a ClusterStore until caught up (`followLog`). */
async function rebuild(js: JetStreamClient, total: number): Promise<{ perSec: number; store: ClusterStore }> {
  const store = new ClusterStore()
  const started = performance.now()
  const tail = await followLog(js, store)
  await tail.caughtUp
  const secs = (performance.now() - started) / 1000
  await tail.stop()
  if (store.rev !== total) throw new Error(`rebuilt to revision ${store.rev}, the log has ${total}`)
  return { perSec: total / secs, store }
}

try {
  const nc = await connectNats({ url: nats.url, user: 'control-plane', pass: passwords.controlPlane }, 'bench')
  await ensureLogStream(await jetstreamManager(nc))
  const js = jetstream(nc)
  const genStarted = performance.now()
  const total = await publishHistory(js, lifecycleHistory({ pods: PODS, nodes: NODES, deleteEvery: DELETE_EVERY }), {
    onProgress: (n) => process.stderr.write(`\rgenerating the log: ${n} events`),
  })
  process.stderr.write('\n')
  console.log(`log: ${total} events (${PODS} pods through their lifecycle, every ${DELETE_EVERY}th deleted, ${NODES} nodes) written in ${((performance.now() - genStarted) / 1000).toFixed(1)} s`)

  const raw: number[] = []
  const kstate: number[] = []
  let store: ClusterStore | undefined
  for (let round = 1; round <= 2; round++) {
    store = undefined // one projection in memory at a time: the previous round's would tax this one's GC
    collectGarbage()
    raw.push(await rawConsume(js, total))
    collectGarbage()
    const r = await rebuild(js, total)
    kstate.push(r.perSec)
    store = r.store
    console.log(`round ${round}: raw consume + decode ${raw.at(-1)!.toFixed(0)} events/s, projection rebuild ${kstate.at(-1)!.toFixed(0)} events/s`)
  }
  const expectedPods = PODS - Math.ceil(PODS / DELETE_EVERY)
  const running = store!.pods.list().filter((p) => p.status?.phase === 'Running' && p.spec?.nodeName).length
  if (store!.pods.size !== expectedPods || running !== expectedPods || store!.nodes.size !== NODES) {
    throw new Error(`projection wrong: ${store!.pods.size} pods (${running} Running), ${store!.nodes.size} nodes; expected ${expectedPods} Running pods, ${NODES} nodes`)
  }
  console.log(`check: ${expectedPods} pods Running and bound, ${NODES} nodes; peak RSS ${peakRssMb()} MB`)
  await nc.drain()
  report({ bench: 'replay', unit: 'events/s', value: Math.max(...kstate), baseline: 'raw-jetstream-consume-decode', baselineValue: Math.max(...raw) })
} finally {
  await nats.stop()
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)
