/**
 * One control-plane start for bench/restart.ts, in a process of its own (so its peak memory is its
 * own): start → ready, then optionally wait for the snapshot the start triggers, measuring how long
 * the event loop was held meanwhile. Prints one JSON line.
 *
 *   tsx bench/_restart-child.ts NATS_URL PASSWORD TLS_DIR snapshot|no-snapshot [--wait-snapshot]
 */
import { jetstream } from '@nats-io/jetstream'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { startControlPlane } from '../runtime/cluster/control-plane.js'
import { loadOrCreateTls } from '../runtime/cluster/tls.js'
import { logger, setLogLevel, setLogSink } from '../runtime/log.js'
import { projectionHash } from '../runtime/projections/hash.js'
import { listSnapshots } from '../runtime/projections/snapshot-store.js'
import { peakRssMb } from './report.js'

const [url, pass, tlsDir, mode] = process.argv.slice(2)
let started = 0
const waitSnapshot = process.argv.includes('--wait-snapshot')
setLogLevel('info')
let replayMs = 0
let apiReadyMs = 0
let snapshotLoad = { readMs: 0, decodeMs: 0 }
setLogSink((line) => {
  // Logging is synchronous: the line arrives the moment /readyz turns 200.
  const m = / log replayed .*replayMs=(\d+)/.exec(line)
  if (m) {
    replayMs = Number(m[1])
    snapshotLoad = { readMs: Number(/snapshotReadMs=(\d+)/.exec(line)?.[1] ?? 0), decodeMs: Number(/snapshotDecodeMs=(\d+)/.exec(line)?.[1] ?? 0) }
    apiReadyMs = performance.now() - started
  }
  if (/ (WARN|ERROR) /.test(line)) process.stderr.write(line + '\n')
})
const tls = await loadOrCreateTls(tlsDir)
const nats = { url, user: 'control-plane', pass }
if (mode === 'no-snapshot') {
  // The full-replay start: hide existing snapshots by starting from a log with none (bench writes them after).
  const { connectNats } = await import('../runtime/nats/connect.js')
  const nc = await connectNats(nats, 'bench-check')
  const found = await listSnapshots(jetstream(nc)).catch(() => [])
  await nc.drain()
  if (found.length > 0) throw new Error('no-snapshot run asked for, but snapshots exist')
}
started = performance.now()
const cp = await startControlPlane({ nats, apiPort: 0, adminToken: 'bench', tls, log: logger('bench'), flags: { snapshotIntervalEvents: waitSnapshot ? 1 : 0 } })
const controllersMs = performance.now() - started
const heapMb = Math.round(process.memoryUsage().heapUsed / 1024 / 1024)
const out: Record<string, unknown> = { readyMs: Math.round(apiReadyMs), replayMs, controllersMs: Math.round(controllersMs), snapshotLoad, rev: cp.store.rev, pods: cp.store.pods.size, heapMb, hash: projectionHash(cp.store) }
if (waitSnapshot) {
  // The start replayed more than the interval: a snapshot is being written now, beside the API.
  const delay = monitorEventLoopDelay({ resolution: 5 })
  delay.enable()
  const t0 = performance.now()
  const m = await cp.snapshots.snapshotNow()
  delay.disable()
  out.snapshot = { rev: m?.rev, bytes: m?.bytes, chunks: m?.chunks, writeMs: Math.round(performance.now() - t0), maxEventLoopDelayMs: Math.round(delay.max / 1e6), p99EventLoopDelayMs: Math.round(delay.percentile(99) / 1e6) }
}
await cp.stop()
out.peakRssMb = peakRssMb()
console.log(JSON.stringify(out))
process.exit(0)
