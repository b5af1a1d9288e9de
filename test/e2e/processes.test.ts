/**
 * Across processes: `kstate up --nodes 0` plus two `kstate node` OS processes behave like
 * `kstate up --nodes 2`: they register, share a dozen pods, run them, and stop cleanly.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { removeDir, startCluster, startProc, type Cluster, type Proc } from './cluster.js'

let c: Cluster
const nodes: Proc[] = []

test.before(async () => {
  c = await startCluster({ nodes: 0 })
  for (const name of ['worker-a', 'worker-b']) nodes.push(startProc(['node', '--name', name, '--data-dir', c.dir]))
})
test.after(async () => {
  for (const n of nodes) n.kill('SIGKILL')
  await c?.stop()
  if (c) removeDir(c.dir)
})

test('two node processes register and become Ready', async () => {
  await c.until(async () => {
    const r = await c.run(['get', 'nodes'])
    return /worker-a\s+Ready/.test(r.stdout) && /worker-b\s+Ready/.test(r.stdout)
  }, 30_000, 'worker-a and worker-b Ready')
})

test('a dozen pods are spread over both node processes and all run', async () => {
  const docs = Array.from({ length: 12 }, (_, i) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: spread-${i}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "300"]\n    resources:\n      requests:\n        cpu: 10m\n        memory: 8Mi\n`,
  ).join('---\n')
  const r = await c.run(['apply', '-f', '-'], { input: docs })
  assert.is(r.code, 0, r.stderr)
  const pods = await c.until(async () => {
    const list = JSON.parse((await c.run(['get', 'pods', '-o', 'json'])).stdout).items as { spec: { nodeName?: string }; status: { phase: string } }[]
    return list.length === 12 && list.every((p) => p.status.phase === 'Running') && list
  }, 60_000, 'twelve Running pods')
  const perNode = new Map<string, number>()
  for (const p of pods) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1)
  assert.equal([...perNode.keys()].sort(), ['worker-a', 'worker-b'])
  for (const n of perNode.values()) assert.ok(n >= 3, `uneven spread ${JSON.stringify([...perNode])}`)
})

test('SIGTERM stops a node process cleanly and its pod processes with it', async () => {
  const a = nodes[0]
  const pid = a.child.pid!
  a.kill('SIGTERM')
  const code = await a.exited
  assert.is(code, 0)
  // No process of its group survives (pod processes are in their own groups, stopped by the kubelet).
  const { execSync } = await import('node:child_process')
  const left = execSync(`ps -eo pid,ppid,args | awk '$2 == ${pid}' | wc -l`).toString().trim()
  assert.is(left, '0')
})

test.run()
