/**
 * Node lifecycle with real processes: a ReplicaSet of 6 `sleep` pods on 3 `kstate node` processes;
 * kill -9 one node's process group; with a 4 s grace and 3 s tolerations its pods are replaced and
 * Running on the other nodes within grace + toleration + 5 s; the node restarts: taints gone, no
 * duplicate process.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loudly, podProcesses, removeDir, startCluster, startProc, until, type Cluster, type Proc } from './cluster.js'

let c: Cluster
const nodes = new Map<string, Proc>()
const FAST_NODE = ['--node-lease-duration-seconds', '4', '--node-status-update-frequency', '1s']

type PodJson = { metadata: { name: string; deletionTimestamp?: string; ownerReferences?: { name: string }[] }; spec: { nodeName?: string }; status: { phase: string } }
const pods = async (): Promise<PodJson[]> => JSON.parse((await c.run(['get', 'pods', '-o', 'json'])).stdout).items
const active = (ps: PodJson[]) => ps.filter((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running')

function startNode(name: string) {
  nodes.set(name, startProc(['node', '--name', name, '--data-dir', c.dir, ...FAST_NODE]))
}

test.before(loudly(start))

async function start() {
  c = await startCluster({
    nodes: 0,
    args: ['--node-monitor-period', '1s', '--node-monitor-grace-period', '4s', '--default-unreachable-toleration-seconds', '3', '--default-not-ready-toleration-seconds', '3'],
  })
  for (const n of ['n-a', 'n-b', 'n-c']) startNode(n)
}
test.after(async () => {
  for (const n of nodes.values()) n.kill('SIGKILL')
  await c?.stop()
  if (c) removeDir(c.dir)
})

test('a ReplicaSet of 6 spreads over 3 node processes', async () => {
  await until(async () => ((await c.run(['get', 'nodes'])).stdout.match(/\bReady\b/g) ?? []).length === 3, 30_000, '3 Ready nodes')
  const r = await c.run(['apply', '-f', 'examples/replicaset.yaml'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, 'replicaset.apps/sleepers created')
  const running = await until(async () => {
    const ps = active(await pods())
    return ps.length === 6 && new Set(ps.map((p) => p.spec.nodeName)).size === 3 && ps
  }, 30_000, '6 Running pods on 3 nodes')
  assert.ok(running.every((p) => p.metadata.ownerReferences?.[0]?.name === 'sleepers'))
  const rs = await c.run(['get', 'rs'])
  assert.match(rs.stdout, /sleepers\s+6\s+6\s+6\s+/)
})

test('kill -9 of a node: its pods are replaced on the others within grace + toleration + 5 s', async () => {
  const victim = 'n-b'
  const onVictim = active(await pods()).filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name)
  assert.ok(onVictim.length > 0)
  const killedAt = Date.now()
  nodes.get(victim)!.kill('SIGKILL')
  await nodes.get(victim)!.exited
  const replaced = await until(async () => {
    const ps = active(await pods())
    return ps.length === 6 && ps.every((p) => p.spec.nodeName !== victim) && ps
  }, 4_000 + 3_000 + 5_000 + 3_000, 'six Running pods off the killed node')
  const took = Date.now() - killedAt
  assert.ok(took <= 4_000 + 3_000 + 5_000, `replacement took ${took} ms`)
  assert.not.ok(replaced.some((p) => onVictim.includes(p.metadata.name)))
  const n = JSON.parse((await c.run(['get', 'node', victim, '-o', 'json'])).stdout)
  assert.is(n.status.conditions.find((x: { type: string }) => x.type === 'Ready').status, 'Unknown')
  assert.ok(n.spec.taints.some((t: { key: string; effect: string }) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'))
  // The causal chain is in the log: condition change → taint → eviction → replacement.
  const events = (await c.run(['events', '-o', 'json'])).stdout.trim().split('\n').map((l) => JSON.parse(l))
  const byRev = new Map(events.map((e) => [e.rev, e]))
  const evicted = events.find((e) => e.type === 'PodEvicted' && onVictim.some((name) => e.object === `pod/default/${name}`))
  assert.ok(evicted, 'PodEvicted recorded')
  const taint = byRev.get(evicted.cause)
  assert.is(taint?.type, 'NodeTainted')
  assert.is(byRev.get(taint.cause)?.type, 'NodeConditionChanged')
})

test('the node comes back: taints removed, its old pods are not started again', async () => {
  const victim = 'n-b'
  startNode(victim)
  await until(async () => {
    const n = JSON.parse((await c.run(['get', 'node', victim, '-o', 'json'])).stdout)
    const ready = n.status.conditions.find((x: { type: string }) => x.type === 'Ready')?.status === 'True'
    return ready && !(n.spec.taints ?? []).some((t: { effect: string }) => t.effect === 'NoExecute')
  }, 20_000, 'node Ready without NoExecute taints')
  // The evicted pods' deletions are confirmed by the returning kubelet; none runs twice.
  await until(async () => (await pods()).length === 6, 20_000, 'only the six active pods remain')
  await new Promise((r) => setTimeout(r, 2_000))
  assert.is(podProcesses(c.dir, 'sleep 3600').length, 6, 'exactly six sleep processes')
})

test.run()
