/**
 * inspect-overhead: pods created and Running per second with every actor's inspection on, against
 * the same cluster with inspection off, in one run. The whole pipeline runs: api-server (admission,
 * compare-and-set append), scheduler, node lifecycle, taint eviction, ReplicaSet controllers, and
 * NODES real kubelets (each its own NATS connection and log projection, a pod worker per pod) whose
 * containers are faked (no OS processes: what is measured is the actors). While inspection is on,
 * a separate process subscribes to `kstate.inspect.>` and decodes every message, so publishing
 * is paid for in full. Rounds alternate off/on (off, on, on, off, off, on, …) so the cluster's growth

 * weighs on both the same (after a warm-up round); each round creates PODS pods (CONCURRENCY in flight) and ends when all
 * are Running. value = on rate, baseline = off rate. Also printed: CPU time of this process (every
 * actor, projection and NATS client of the cluster; not nats-server nor the subscriber) per pod, on
 * and off: on a shared machine the wall-clock rates move with other load, CPU per pod much less.
 *
 *   npm run bench -- inspect-overhead [--pods 400] [--rounds 12] [--nodes 3] [--concurrency 128]
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { startControlPlane } from '../runtime/cluster/control-plane.js'
import { startNode, type RunningNode } from '../runtime/cluster/node.js'
import { loadOrCreateTls } from '../runtime/cluster/tls.js'
import type { ContainerDriver, DriverEvent } from '../runtime/container-runtime/process-driver.js'
import { setInspectionMode } from '../runtime/inspect/client.js'
import { logger, setLogLevel } from '../runtime/log.js'
import { connectNats } from '../runtime/nats/connect.js'
import { startNatsServer } from '../runtime/nats/server.js'
import { report } from './report.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const PODS = arg('pods', 400)
const ROUNDS = arg('rounds', 12)
const NODES = arg('nodes', 3)
const CONCURRENCY = arg('concurrency', 128)

/** Containers that start at once and run until signalled: the kubelet and pod workers do all their work. */
class FakeDriver implements ContainerDriver {
  private listeners = new Set<(e: DriverEvent) => void>()
  private pid = 1000
  private live = new Set<string>()
  private emit(e: DriverEvent) {
    setImmediate(() => {
      for (const l of this.listeners) l(e)
    })
  }
  spawn(req: { containerId: string }): void {
    this.live.add(req.containerId)
    this.emit({ type: 'STARTED', containerId: req.containerId, pid: this.pid++ })
  }
  signal(containerId: string): void {
    if (this.live.delete(containerId)) this.emit({ type: 'EXITED', containerId, exitCode: 0, signal: 'SIGTERM' })
  }
  onEvent(l: (e: DriverEvent) => void) {
    this.listeners.add(l)
    return () => void this.listeners.delete(l)
  }
  async reapOrphans() {
    return 0
  }
  async stopAll() {
    for (const id of [...this.live]) this.signal(id)
  }
}

setLogLevel('error')
const log = logger('bench')
const dir = mkdtempSync(join(tmpdir(), 'kstate-bench-inspect-'))
const passwords = { controlPlane: 'bench-cp', node: 'bench-node' }
const nats = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'nats.pid'), passwords, log })
const cpTarget = { url: nats.url, user: 'control-plane', pass: passwords.controlPlane }
const tls = await loadOrCreateTls(dir)
const cp = await startControlPlane({ nats: cpTarget, apiPort: 0, adminToken: 'bench-token', tls, log, flags: { inspect: { kind: 'on' } } })
const nodes: RunningNode[] = []
for (let i = 1; i <= NODES; i++) {
  nodes.push(
    await startNode({
      name: `bench-${i}`,
      nats: { url: nats.url, user: 'node', pass: passwords.node },
      dataDir: join(dir, 'nodes', `bench-${i}`),
      capacity: { cpu: '1000', memory: '4000Gi', pods: '100000' },
      driver: new FakeDriver(),
      inspect: { kind: 'on' },
      log,
    }),
  )
}
const control = await connectNats(cpTarget, 'bench-inspect-control')

// The subscriber: its own process, decoding every message as `kstate inspect -f` would.
const subscriberScript = new URL('./_inspect-subscriber.mjs', import.meta.url).pathname
const sub = spawn(process.execPath, [subscriberScript, nats.url, passwords.controlPlane], { stdio: ['pipe', 'pipe', 'inherit'] })
const subLines: string[] = []
let onLine: ((l: string) => void) | undefined
sub.stdout!.setEncoding('utf8')
sub.stdout!.on('data', (d: string) => {
  for (const l of d.split('\n').filter(Boolean)) {
    subLines.push(l)
    onLine?.(l)
  }
})
const nextLine = () => new Promise<string>((r) => (onLine = (l) => ((onLine = undefined), r(l))))
await (subLines.includes('ready') ? Promise.resolve() : nextLine())
const subscriberCounts = async () => {
  const p = nextLine()
  sub.stdin!.write('\n')
  return JSON.parse(await p) as { batches: number; messages: number; bytes: number; byKind: Record<string, number> }
}

// Wait for the nodes to be Ready in the control plane's view.
const readyNodes = () => cp.store.nodes.list().filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length
while (readyNodes() < NODES) await new Promise((r) => setTimeout(r, 100))

let seq = 0
function pod(name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  }
}

/** Creates `n` pods, CONCURRENCY in flight, and waits until all of them are Running; returns seconds. */
async function round(n: number, prefix: string): Promise<number> {
  const started = performance.now()
  let next = 0
  let failed = 0
  const names = Array.from({ length: n }, () => `${prefix}-${++seq}`)
  const want = new Set(names)
  let running = 0
  const sub = cp.store.pods.changes$.subscribe((c) => {
    const name = c.object.metadata?.name ?? ''
    if (c.type !== 'DELETED' && c.object.status?.phase === 'Running' && want.delete(name)) running++
  })
  const worker = async () => {
    while (next < n) {
      const name = names[next++]
      const res = await cp.api.request({ verb: 'create', resource: 'pods', namespace: 'default', object: pod(name) }, { user: 'admin' })
      if (!res.ok) {
        failed++
        want.delete(name)
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const deadline = Date.now() + 600_000
  while (want.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  sub.unsubscribe()
  if (want.size > 0 || failed > 0) throw new Error(`round ${prefix}: ${want.size} pods not Running, ${failed} creates failed`)
  return (performance.now() - started) / 1000
}

async function setMode(on: boolean) {
  const replies = await setInspectionMode(control, { mode: on ? { kind: 'on' } : { kind: 'off' } })
  if (replies.length < NODES + 1) throw new Error(`only ${replies.length} processes answered the mode switch`)
}

const totals = { on: { pods: 0, secs: 0, cpuMs: 0 }, off: { pods: 0, secs: 0, cpuMs: 0 } }
let published = { batches: 0, messages: 0, bytes: 0 }
try {
  await setMode(true)
  // Warm up (JIT, projections, connections) at full size, so the first measured round is not the slowest.
  await round(PODS, 'warmup')
  await subscriberCounts()
  const pattern = ['off', 'on', 'on', 'off'] as const
  for (let i = 0; i < ROUNDS; i++) {
    const mode = pattern[i % pattern.length]
    await setMode(mode === 'on')
    // Messages of the previous round still in flight belong to it, not to this one.
    await new Promise((r) => setTimeout(r, 300))
    await subscriberCounts()
    const cpu0 = process.cpuUsage()
    const secs = await round(PODS, `${mode}${i}`)
    const cpu = process.cpuUsage(cpu0)
    const cpuMs = (cpu.user + cpu.system) / 1000
    totals[mode].cpuMs += cpuMs
    const counts = await subscriberCounts()
    if (mode === 'on' && process.argv.includes('--by-kind')) console.error(Object.entries(counts.byKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${(n / PODS).toFixed(1)}/pod`).join(', '))
    if (mode === 'on') published = { batches: published.batches + counts.batches, messages: published.messages + counts.messages, bytes: published.bytes + counts.bytes }
    else if (counts.messages > 0) console.error(`warning: inspection off, yet ${counts.messages} messages were published`)
    totals[mode].pods += PODS
    totals[mode].secs += secs
    console.error(`round ${i + 1}/${ROUNDS} inspection ${mode}: ${PODS} pods Running in ${secs.toFixed(2)} s (${(PODS / secs).toFixed(0)} pods/s, ${(cpuMs / PODS).toFixed(2)} ms CPU per pod)${mode === 'on' ? `; subscriber got ${counts.messages} messages in ${counts.batches} NATS messages, ${(counts.bytes / 1e6).toFixed(1)} MB` : ''}`)
  }
} finally {
  sub.kill()
  await control.drain().catch(() => {})
  for (const n of nodes) await n.stop().catch(() => {})
  await cp.stop().catch(() => {})
  await nats.stop()
  rmSync(dir, { recursive: true, force: true })
}
const onRate = totals.on.pods / totals.on.secs
const offRate = totals.off.pods / totals.off.secs
console.error(
  `inspection on: ${totals.on.pods} pods in ${totals.on.secs.toFixed(1)} s = ${onRate.toFixed(0)} pods/s; off: ${totals.off.pods} pods in ${totals.off.secs.toFixed(1)} s = ${offRate.toFixed(0)} pods/s; ` +
    `published while on: ${published.messages} inspection messages (${(published.messages / totals.on.pods).toFixed(1)} per pod) in ${published.batches} NATS messages, ${(published.bytes / 1e6).toFixed(1)} MB`,
)
console.error(`CPU per pod: on ${(totals.on.cpuMs / totals.on.pods).toFixed(2)} ms, off ${(totals.off.cpuMs / totals.off.pods).toFixed(2)} ms (ratio off/on ${(totals.off.cpuMs / totals.off.pods / (totals.on.cpuMs / totals.on.pods)).toFixed(2)})`)
report({ bench: 'inspect-overhead', unit: 'pods/s', value: onRate, baseline: 'inspection-off', baselineValue: offRate })
process.exit(0)
