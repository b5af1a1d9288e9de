/**
 * The web page with 1,000 nodes and 10,000 pods: first render under 2 s, a live change visible
 * within 500 ms. The cluster's log is filled fast: a simulated cluster on the virtual clock
 * (runtime/sim: the real scheduler and controllers, KWOK-style nodes) runs 10 ReplicaSets of 1,000
 * pods to Running, and its log is appended to a real `kstate up --ui`'s JetStream stream with the
 * codec; the control plane replays it like any other log. Figures are printed and kept in
 * bench/RESULTS.md. Node health grace periods are an hour, so the simulated nodes (which renew no
 * real Lease) stay Ready during the run.
 */
import { jetstream } from '@nats-io/jetstream'
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Node } from 'kubernetes-types/core/v1.js'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import * as assert from 'uvu/assert'
import { encodeEvent } from '../../events/index.js'
import { callJson } from '../../runtime/cli/http.js'
import { VirtualClock } from '../../runtime/clock/virtual-clock.js'
import { readCredentials, readEndpoints } from '../../runtime/cluster/data-dir.js'
import { loadClientConfig, type ClientConfig } from '../../runtime/cluster/kubeconfig.js'
import { logger, setLogLevel } from '../../runtime/log.js'
import { connectNats } from '../../runtime/nats/connect.js'
import { startSimCluster } from '../../runtime/sim/sim-cluster.js'
import { removeDir, ROOT, startCluster, until, type Cluster } from './cluster.js'

const NODES = 1_000
const PODS = 10_000
const REPLICASETS = 10
const FIRST_RENDER_LIMIT_MS = 2_000
const UPDATE_LIMIT_MS = 500
const ARTIFACTS = join(ROOT, 'test/artifacts/ui')

setLogLevel('error')
let c: Cluster
let cfg: ClientConfig
let uiUrl = ''
let browser: Browser
let page: Page
let lastRev = 0


/** Runs the simulated cluster to 10,000 Running pods and returns its log. */
async function simulatedLog() {
  const clock = new VirtualClock(Date.now())
  const sim = await startSimCluster({ clock, nodes: NODES, zoneSize: 100, log: logger('sim') })
  for (let i = 0; i < REPLICASETS; i++) {
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `app-${i}`, namespace: 'default' },
      spec: {
        replicas: PODS / REPLICASETS,
        selector: { matchLabels: { app: `app-${i}` } },
        template: { metadata: { labels: { app: `app-${i}` } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } },
      },
    }
    const r = await sim.api.request({ verb: 'create', resource: 'replicasets', namespace: 'default', object: rs }, { user: 'admin' })
    if (!r.ok) throw new Error(r.status.message)
  }
  let running = 0
  await sim.run(600_000, 1_000, () => {
    running = 0
    for (const p of sim.store.pods.list()) if (p.status?.phase === 'Running') running++
    return running >= PODS
  })
  await sim.stop()
  assert.is(running, PODS, 'the simulated cluster runs every pod')
  return sim.api.log
}

async function start() {
  mkdirSync(ARTIFACTS, { recursive: true })
  const t0 = performance.now()
  const log = await simulatedLog()
  const simMs = performance.now() - t0
  c = await startCluster({ nodes: 0, args: ['--node-monitor-grace-period', '1h', '--node-startup-grace-period', '1h', '--ui', '--ui-port', '0'] })
  uiUrl = (await c.proc.waitFor(/kstate ui: (http:\/\/127\.0\.0\.1:\d+\/)/))[1]
  cfg = loadClientConfig(c.kubeconfig)
  // Append the simulated history to the real log, as the api-server would have (control-plane user).
  const t1 = performance.now()
  const nc = await connectNats({ url: readEndpoints(c.dir).natsUrl, user: 'control-plane', pass: readCredentials(c.dir).controlPlanePassword }, 'ui-scale-fill')
  const js = jetstream(nc)
  for (let i = 0; i < log.length; i += 1_000) {
    const acks = await Promise.all(log.slice(i, i + 1_000).map((e) => js.publish(e.subject, encodeEvent(e.event))))
    lastRev = acks.at(-1)!.seq
  }
  await nc.drain()
  await until(async () => Number((await callJson<{ metadata: { resourceVersion: string } }>(cfg, 'GET', '/api/v1/nodes?limit=1')).metadata.resourceVersion) >= lastRev, 120_000, 'the control plane to apply the filled log')
  console.log(`  filled: ${log.length} events (simulated in ${(simMs / 1000).toFixed(1)} s, appended and applied in ${((performance.now() - t1) / 1000).toFixed(1)} s)`)
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] })
}


await start()
console.log('UI', uiUrl, 'DIR', c.dir, 'PID', c.proc.child.pid)
await browser.close()
setInterval(()=>{}, 1000)
