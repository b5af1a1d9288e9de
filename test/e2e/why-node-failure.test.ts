/**
 * `kstate why` on a real node failure: a ReplicaSet pod on a node process that is killed -9 is
 * evicted and replaced; the replacement's chain runs from the user's ReplicaSet through the old
 * pod's placement, the node going Unknown, the unreachable taint and the eviction, to its own
 * scheduling on the surviving node. `kstate diff` across the failure names the changed fields.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loudly, removeDir, startCluster, startProc, until, type Cluster, type Proc } from './cluster.js'
import { WEB_RS as RS } from './manifests.js'

let c: Cluster
const nodes = new Map<string, Proc>()

type PodJson = { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { phase?: string } }
const pods = async (): Promise<PodJson[]> => JSON.parse((await c.run(['get', 'pods', '-o', 'json'])).stdout).items

test.before(
  loudly(async () => {
    c = await startCluster({
      nodes: 0,
      args: ['--node-monitor-period', '1s', '--node-monitor-grace-period', '4s', '--default-unreachable-toleration-seconds', '3', '--default-not-ready-toleration-seconds', '3'],
    })
    for (const n of ['n-a', 'n-b']) nodes.set(n, startProc(['node', '--name', n, '--data-dir', c.dir, '--node-lease-duration-seconds', '4']))
  }),
)
test.after(async () => {
  for (const n of nodes.values()) n.kill('SIGKILL')
  await c?.stop()
  if (c) removeDir(c.dir)
})

test('why: replacement pod ← eviction ← unreachable taint ← node Unknown ← the old pod on that node ← the user\'s ReplicaSet', async () => {
  await until(async () => ((await c.run(['get', 'nodes'])).stdout.match(/\bReady\b/g) ?? []).length === 2, 30_000, '2 Ready nodes')
  assert.is((await c.run(['apply', '-f', '-'], { input: RS })).code, 0)
  const running = await until(async () => {
    const ps = (await pods()).filter((p) => p.status.phase === 'Running')
    return ps.length === 2 && ps
  }, 30_000, '2 Running pods')
  const victim = running[0]
  const dead = victim.spec.nodeName!
  const alive = dead === 'n-a' ? 'n-b' : 'n-a'
  const before = JSON.parse((await c.run(['events', '-o', 'json', '--type', 'PodBound'])).stdout.trim().split('\n').pop()!).rev as number
  nodes.get(dead)!.kill('SIGKILL')
  const replacement = await until(async () => {
    const ps = await pods()
    const names = new Set(running.map((p) => p.metadata.name))
    return ps.find((p) => !names.has(p.metadata.name) && p.status.phase === 'Running' && p.spec.nodeName === alive)
  }, 45_000, 'a replacement Running on the surviving node')

  const r = await c.run(['why', `pod/${replacement.metadata.name}`, '-o', 'json'])
  assert.is(r.code, 0, r.stderr)
  const steps = JSON.parse(r.stdout).steps as { rev: number; type: string; object: string; reason: string; by: string; role: string; cause?: number }[]
  const chain = steps.map((s) => `${s.type} ${s.object}: ${s.reason}`)
  const at = (re: RegExp) => {
    const i = chain.findIndex((l) => re.test(l))
    assert.ok(i >= 0, `${re} missing from:\n${chain.join('\n')}`)
    return i
  }
  const order = [
    at(/^ReplicaSetCreated replicaset\/default\/web: created \(replicas 2\)$/),
    at(new RegExp(`^PodBound pod/default/${victim.metadata.name}: scheduled on ${dead}$`)),
    at(new RegExp(`^NodeConditionChanged node/${dead}: Ready=Unknown.*\\(NodeStatusUnknown\\)$`)),
    at(new RegExp(`^NodeTainted node/${dead}: tainted node.kubernetes.io/unreachable:NoExecute$`)),
    at(new RegExp(`^PodEvicted pod/default/${victim.metadata.name}: evicted`)),
    at(new RegExp(`^PodCreated pod/default/${replacement.metadata.name}: created by ReplicaSet web$`)),
    at(new RegExp(`^PodBound pod/default/${replacement.metadata.name}: scheduled on ${alive}$`)),
  ]
  assert.equal(order, [...order].sort((a, b) => a - b), `out of order:\n${chain.join('\n')}`)
  assert.is(steps[order[0]].by, 'admin')
  // Every cause in the chain points at an earlier step shown (or at nothing: a user's request, a kubelet's report).
  const revs = new Set(steps.map((s) => s.rev))
  for (const s of steps.filter((x) => x.role === 'cause' || x.type !== 'PodStatusUpdated')) if (s.cause !== undefined) assert.ok(revs.has(s.cause), `cause ${s.cause} of ${s.rev} not shown`)

  const d = await c.run(['diff', '--from', String(before)])
  assert.is(d.code, 0, d.stderr)
  assert.match(d.stdout, `~ node/${dead}`)
  assert.match(d.stdout, /status\.conditions\[Ready\]\.status: True → Unknown/)
  assert.match(d.stdout, `+ pod/default/${replacement.metadata.name}`)
})

test.run()
