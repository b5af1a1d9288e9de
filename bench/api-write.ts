/**
 * api-write: pods created per second through HTTPS (keep-alive) → api-server (admission, validation,
 * compare-and-set append) → event log, against raw JetStream publishing of the same encoded
 * events with the same number in flight, in the same run. Also etcd 3.4 puts of the same payloads
 * (Debian `etcd-server`), printed on its own line for RESULTS.md.
 *
 *   npm run bench -- api-write [--seconds 10] [--pods 20000] [--concurrency 256] [--no-etcd] [--no-wrk]
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { encodeEvent, type LogEvent } from '../events/index.js'
import { startControlPlane } from '../runtime/cluster/control-plane.js'
import { loadOrCreateTls } from '../runtime/cluster/tls.js'
import { logger, setLogLevel } from '../runtime/log.js'
import { connectNats } from '../runtime/nats/connect.js'
import { freePort } from '../runtime/nats/free-port.js'
import { startNatsServer } from '../runtime/nats/server.js'
import { report } from './report.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const PODS = arg('pods', 20_000)
const CONCURRENCY = arg('concurrency', 256)
const WITH_ETCD = !process.argv.includes('--no-etcd')
const WITH_WRK = !process.argv.includes('--no-wrk')
const SECONDS = arg('seconds', 10)

setLogLevel('warn')
const log = logger('bench')
const dir = mkdtempSync(join(tmpdir(), 'kstate-bench-'))
const passwords = { controlPlane: 'bench-cp', node: 'bench-node' }
const nats = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'nats.pid'), passwords, log })
const target = { url: nats.url, user: 'control-plane', pass: passwords.controlPlane }

function podEvent(i: number): LogEvent {
  return {
    type: 'PodCreated',
    v: 1,
    at: Date.now(),
    by: 'admin',
    data: {
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `raw-${i}`, namespace: 'default', uid: crypto.randomUUID(), labels: { app: 'bench' }, creationTimestamp: new Date().toISOString() },
        spec: {
          containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '100m', memory: '64Mi' } }, imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          schedulerName: 'default-scheduler',
        },
        status: { phase: 'Pending', qosClass: 'Burstable' },
      },
    },
  }
}

/**
 * The HTTP load comes from wrk (Debian's package, C and epoll) when installed: a Node client on the
 * same 2-core machine spends as much CPU on TLS and HTTP as the server does, and would measure the
 * client. Without wrk, a Node worker thread generates the load (and the figure is lower).
 */
function wrkLoad(url: string, token: string, seconds: number, prefix: string): Promise<{ ok: number; failed: number; secs: number } | undefined> {
  const script = new URL('./wrk-create-pods.lua', import.meta.url).pathname
  return new Promise((resolve) => {
    const p = spawn('wrk', ['-t', '2', '-c', String(CONCURRENCY), '-d', `${seconds}s`, '-s', script, url, '--', token, prefix], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    p.on('error', () => resolve(undefined))
    p.on('close', () => {
      const m = /WRK (\{.*\})/.exec(out)
      if (!m) return resolve(undefined)
      const r = JSON.parse(m[1]) as { created: number; failed: number; seconds: number; p50ms: number; p99ms: number }
      console.log(`wrk: ${r.created} created, ${r.failed} failed in ${r.seconds.toFixed(1)} s; latency p50 ${r.p50ms.toFixed(1)} ms, p99 ${r.p99ms.toFixed(1)} ms`)
      resolve({ ok: r.created, failed: r.failed, secs: r.seconds })
    })
  })
}

async function httpLoad(url: string, token: string, ca: string, total: number, prefix: string): Promise<{ ok: number; failed: number; secs: number }> {
  const w = new Worker(new URL('./_http-load.mjs', import.meta.url), { workerData: { url, token, ca, total, concurrency: CONCURRENCY, prefix } })
  return new Promise((resolve, reject) => {
    w.once('message', resolve)
    w.once('error', reject)
  })
}

async function rawJetStream(total: number): Promise<number> {
  const nc = await connectNats(target, 'bench-raw')
  const jsm = await jetstreamManager(nc)
  await jsm.streams.add({ name: 'BENCH_RAW', subjects: ['bench.raw.>'] })
  const js = jetstream(nc)
  const payloads = Array.from({ length: total }, (_, i) => encodeEvent(podEvent(i)))
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++
        await js.publish(`bench.raw.default.raw-${i}`, payloads[i])
      }
    }),
  )
  const secs = (performance.now() - started) / 1000
  await jsm.streams.delete('BENCH_RAW')
  await nc.drain()
  return total / secs
}

async function etcdPuts(total: number): Promise<number | undefined> {
  const { Etcd3 } = await import('etcd3')
  const [client, peer] = [await freePort(), await freePort()]
  const etcdDir = join(dir, 'etcd')
  const proc = spawn('etcd', ['--data-dir', etcdDir, '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`, '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `default=http://127.0.0.1:${peer}`], { stdio: 'ignore' })
  proc.on('error', () => {})
  const etcd = new Etcd3({ hosts: `http://127.0.0.1:${client}` })
  try {
    for (let i = 0; ; i++) {
      try {
        await etcd.put('probe').value('1')
        break
      } catch (e) {
        if (i > 100) throw e
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    const payloads = Array.from({ length: total }, (_, i) => JSON.stringify(podEvent(i).data))
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < total) {
          const i = next++
          await etcd.put(`/registry/pods/default/raw-${i}`).value(payloads[i])
        }
      }),
    )
    return total / ((performance.now() - started) / 1000)
  } catch (e) {
    console.error(`etcd baseline skipped: ${(e as Error).message} (install etcd-server: apt-get install -y etcd-server)`)
    return undefined
  } finally {
    etcd.close()
    proc.kill('SIGKILL')
  }
}

try {
  const tls = await loadOrCreateTls(dir)
  const cp = await startControlPlane({ nats: target, apiPort: 0, adminToken: 'bench-token', tls, scheduler: false, log })
  await httpLoad(cp.apiUrl, 'bench-token', tls.ca, 1_000, 'warm') // JIT and connection warm-up
  const viaWrk = WITH_WRK ? await wrkLoad(cp.apiUrl, 'bench-token', SECONDS, 'wrk') : undefined
  const api = viaWrk ?? (await httpLoad(cp.apiUrl, 'bench-token', tls.ca, PODS, 'pod'))
  console.log(`load generator: ${viaWrk ? `wrk, ${SECONDS} s` : `Node worker thread, ${PODS} pods`}`)
  if (api.failed > 0) throw new Error(`${api.failed} creates failed`)
  const kstatePerSec = api.ok / api.secs
  await cp.stop()
  const rawPerSec = await rawJetStream(PODS)
  const etcd = WITH_ETCD ? await etcdPuts(PODS) : undefined
  console.log(`in flight: ${CONCURRENCY}; baselines publish ${PODS} payloads`)
  console.log(`kstate HTTP → api-server → log: ${kstatePerSec.toFixed(0)} pods/s`)
  console.log(`raw JetStream publish (same payloads): ${rawPerSec.toFixed(0)} msgs/s`)
  if (etcd !== undefined) console.log(`etcd 3.4 put (same payloads, JSON): ${etcd.toFixed(0)} puts/s; kstate/etcd ratio ${(kstatePerSec / etcd).toFixed(2)}`)
  report({ bench: 'api-write', unit: 'pods/s', value: kstatePerSec, baseline: 'raw-jetstream-publish', baselineValue: rawPerSec })
} finally {
  await nats.stop()
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)
