/**
 * The example scenarios of examples/chaos/, each run by `kstate chaos run` against one cluster of
 * OS processes (`kstate up --processes`, 3 nodes, short node-lifecycle timings) under a steady
 * stream of writes: node loss, control-plane crash (with a nats-server crash), partition and heal.
 * Each must pass every invariant with no acknowledged write lost. The figures are printed for
 * bench/RESULTS.md.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startChaosCluster, stopChaosCluster } from './chaos-cluster.js'
import { kstate, loudly, type Cluster } from './cluster.js'

let c: Cluster
const INVARIANTS = ['acknowledged-writes-in-log', 'pod-bound-once', 'pod-on-one-node-at-once', 'replicasets-converge', 'resource-versions-increase', 'projections-agree']

test.before(
  loudly(async () => {
    c = await startChaosCluster(3)
  }),
)
test.after(() => stopChaosCluster(c))

async function run(name: string): Promise<void> {
  const table = await kstate(['chaos', 'run', `examples/chaos/${name}.yaml`, '--data-dir', c.dir], { timeoutMs: 240_000 })
  assert.is(table.code, 0, `${table.stdout}\n${table.stderr}`)
  for (const inv of INVARIANTS) assert.match(table.stdout, new RegExp(`^${inv}\\s+ok\\s+0\\s`, 'm'), inv)
  assert.match(table.stdout, new RegExp(`scenario ${name}: PASSED`))
  // The same run's report as JSON would be a second run: the figures are read from the table.
  const w = /writes: (\d+) acknowledged, (\d+) lost, (\d+) failed \(not acknowledged\) of (\d+)/.exec(table.stdout)!
  const conv = /convergence: ([\d.]+) s after the last fault cleared, ([\d.]+) s after the first fault/.exec(table.stdout)!
  const report = { acknowledged: Number(w[1]), lost: Number(w[2]), failed: Number(w[3]), attempted: Number(w[4]), afterLastFaultS: Number(conv[1]), afterFirstFaultS: Number(conv[2]) }
  console.log(`chaos ${name}: ${JSON.stringify(report)}`)
  assert.is(report.lost, 0, 'no acknowledged write lost')
  assert.ok(report.acknowledged > 0, 'writes were acknowledged')
}

test('node-loss: a node process and its pods are killed under writes; its pods are replaced; nothing is lost', async () => {
  await run('node-loss')
  const events = (await c.run(['events', '-o', 'json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: string; by: string })
  const injected = events.find((e) => e.type === 'FaultInjected' && /^fault\/kill-node-[0-9a-f]+$/.test(e.object))
  assert.is(injected?.by, 'chaos-run/node-loss')
  assert.ok(events.some((e) => e.type === 'FaultCleared' && e.object === injected!.object))
  assert.ok(events.some((e) => e.type === 'PodEvicted'))
})

test('control-plane-crash: the control plane and then nats-server crash under writes; every acknowledged write is in the log', async () => {
  await run('control-plane-crash')
})

test('partition-heal: a node cut off from the control plane is evicted, then heals; no pod bound twice', async () => {
  await run('partition-heal')
})

test('a scenario that cannot run fails with one line and exit 1', async () => {
  const r = await kstate(['chaos', 'run', 'examples/chaos/node-loss-replicaset.yaml', '--data-dir', c.dir])
  assert.is(r.code, 1)
  assert.match(r.stderr, /^error: .*node-loss-replicaset.yaml: unknown field "apiVersion"/)
})

test.run()
