/**
 * restart: a control plane starting on a log of 150,000 pods (each through PodCreated, PodBound and
 * two PodStatusUpdated: ~600,000 events), from a snapshot (newest snapshot + tail) against a full
 * replay of the log, each start in a fresh process. value = full-replay start time / snapshot
 * start time (start → ready: /readyz answers 200, the api-server serves the replayed state; the
 * scheduler and controllers then start, their time printed beside). Also printed: the longest the
 * event loop was held while the snapshot was written beside a serving API, and each start's
 * peak memory. The run exits non-zero unless both starts reach the same projection (content hash).
 *
 *   npm run bench -- restart [--pods 150000]
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureLogStream } from '../runtime/event-log/stream.js'
import { logger, setLogLevel } from '../runtime/log.js'
import { connectNats } from '../runtime/nats/connect.js'
import { startNatsServer } from '../runtime/nats/server.js'
import { lifecycleHistory, publishHistory } from './_log-fixture.js'
import { report } from './report.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const PODS = arg('pods', 150_000)
const NODES = 500
const GOAL_SECONDS = 3
const GOAL_RATIO = 5

setLogLevel('warn')
const log = logger('bench')
const dir = mkdtempSync(join(tmpdir(), 'kstate-bench-restart-'))
const passwords = { controlPlane: 'bench-cp', node: 'bench-node' }
const nats = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'nats.pid'), passwords, log })

interface StartResult {
  readyMs: number
  /** Of which: snapshot load + log tail (the rest: connecting, starting the gateway). */
  replayMs: number
  /** Until startControlPlane returned: the scheduler and controllers started too (they list 150,000 pods). */
  controllersMs: number
  snapshotLoad: { readMs: number; decodeMs: number }
  rev: number
  pods: number
  heapMb: number
  peakRssMb: number
  hash: string
  snapshot?: { rev: number; bytes: number; chunks: number; writeMs: number; maxEventLoopDelayMs: number; p99EventLoopDelayMs: number }
}
function start(mode: 'snapshot' | 'no-snapshot', waitSnapshot = false): StartResult {
  const child = new URL('./_restart-child.ts', import.meta.url).pathname
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, nats.url, passwords.controlPlane, dir, mode, ...(waitSnapshot ? ['--wait-snapshot'] : [])], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const line = r.stdout.trim().split('\n').at(-1) ?? ''
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`control-plane start (${mode}) failed:\n${r.stderr.slice(-3000)}`)
  return JSON.parse(line) as StartResult
}

let failed = false
try {
  const nc = await connectNats({ url: nats.url, user: 'control-plane', pass: passwords.controlPlane }, 'bench')
  await ensureLogStream(await jetstreamManager(nc))
  const genStarted = performance.now()
  const total = await publishHistory(jetstream(nc), lifecycleHistory({ pods: PODS, nodes: NODES }), {
    onProgress: (n) => process.stderr.write(`\rgenerating the log: ${n} events`),
  })
  process.stderr.write('\n')
  await nc.drain()
  console.log(`log: ${total} events (${PODS} pods, ${NODES} nodes) written in ${((performance.now() - genStarted) / 1000).toFixed(1)} s`)

  const full = start('no-snapshot', true)
  console.log(`full replay start: ${(full.readyMs / 1000).toFixed(2)} s to ready (/readyz 200), ${(full.replayMs / 1000).toFixed(2)} s of it replaying; controllers running after ${(full.controllersMs / 1000).toFixed(2)} s (rev ${full.rev}, ${full.pods} pods; heap ${full.heapMb} MB, peak RSS ${full.peakRssMb} MB)`)
  const s = full.snapshot!
  console.log(`snapshot at rev ${s.rev}: ${(s.bytes / 1024 / 1024).toFixed(1)} MB in ${s.chunks} chunks, written in ${(s.writeMs / 1000).toFixed(2)} s beside the API; event loop held at most ${s.maxEventLoopDelayMs} ms (p99 ${s.p99EventLoopDelayMs} ms)`)
  const snap = start('snapshot')
  console.log(`snapshot start: ${(snap.readyMs / 1000).toFixed(2)} s to ready (/readyz 200), ${(snap.replayMs / 1000).toFixed(2)} s of it loading the snapshot (decoding ${snap.snapshotLoad.decodeMs} ms as chunks arrive, fetch and checksum ${snap.snapshotLoad.readMs} ms besides) + tail; controllers running after ${(snap.controllersMs / 1000).toFixed(2)} s (heap ${snap.heapMb} MB, peak RSS ${snap.peakRssMb} MB)`)
  if (snap.hash !== full.hash || snap.rev !== full.rev) {
    failed = true
    console.log(`FAIL the snapshot start's projection differs from the full replay's (rev ${snap.rev} vs ${full.rev})`)
  } else console.log(`ok   same projection (content hash ${full.hash.slice(0, 16)}…)`)
  const ratio = full.readyMs / snap.readyMs
  console.log(`${snap.readyMs / 1000 <= GOAL_SECONDS ? 'ok  ' : 'MISS'} snapshot start ≤ ${GOAL_SECONDS} s; ${ratio >= GOAL_RATIO ? 'ok  ' : 'MISS'} ratio ≥ ${GOAL_RATIO}`)
  report({ bench: 'restart', unit: 'full-replay start / snapshot start', value: ratio, baseline: 'full-replay-start', baselineValue: 1 })
} finally {
  await nats.stop()
  rmSync(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
