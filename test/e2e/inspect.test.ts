/**
 * Inspection on a real cluster: `kstate inspect` lists actors of the control plane and of a
 * separate `kstate node` process; `kstate explain` names a NoSchedule taint's rejection;
 * `--diagram svg` draws a node machine with its current state; `-f` shows a node machine going
 * ready → unknown after its node process is killed (grace 4 s).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loudly, removeDir, startCluster, startProc, until, type Cluster, type Proc } from './cluster.js'

let c: Cluster
const nodes = new Map<string, Proc>()
const follows: Proc[] = []
const FAST_NODE = ['--node-lease-duration-seconds', '4', '--node-status-update-frequency', '1s']

test.before(
  loudly(async () => {
    c = await startCluster({ nodes: 0, args: ['--node-monitor-period', '1s', '--node-monitor-grace-period', '4s'] })
    for (const n of ['n-a', 'n-b']) nodes.set(n, startProc(['node', '--name', n, '--data-dir', c.dir, ...FAST_NODE]))
  }),
)
test.after(async () => {
  for (const f of follows) f.kill('SIGKILL')
  for (const n of nodes.values()) n.kill('SIGKILL')
  await c?.stop()
  if (c) removeDir(c.dir)
})

test('kstate inspect lists the actors of the control plane and of a node process', async () => {
  let last = ''
  const out = await until(async () => {
    const r = await c.run(['inspect'])
    last = r.stdout + r.stderr
    return r.code === 0 && /node-controller\/n-b\s+node\s+control-plane\s+health\.ready/.test(r.stdout) && /kubelet\/n-a\s+kubelet\s+node\/n-a/.test(r.stdout) && r.stdout
  }, 60_000, 'both node machines ready and both kubelets listed').catch((e) => {
    // Say why: the listing, and what the node processes printed.
    throw new Error(`${(e as Error).message}\nlast listing:\n${last}\n${[...nodes].map(([n, p]) => `${n}:\n${p.output().slice(-1500)}`).join('\n')}`)
  })
  const lines = out.trim().split('\n')
  assert.match(lines[0], /^ACTOR\s+MACHINE\s+PROCESS\s+STATE\s+LAST-EVENT\s+AGE$/)
  for (const re of [/^api-server\s+api-server\s+control-plane\s+serving\s/m, /^scheduler\s+scheduler\s+control-plane\s+running\s/m, /^node-controller\s+node-controller\s+control-plane\s/m, /^kubelet\/n-b\s+kubelet\s+node\/n-b\s+running/m]) assert.match(out, re)
  const one = await c.run(['inspect', 'kubelet/n-a'])
  assert.is(one.code, 0, one.stderr)
  assert.match(one.stdout, /^Actor: {6}kubelet\/n-a\nMachine: {4}kubelet\nProcess: {4}node\/n-a \(pid \d+\)\n/)
  assert.match(one.stdout, /\nContext:\n {2}input:\n[\s\S]* {4}nodeName: n-a\n/)
  // A prefix that names no actor lists the actors under it.
  const under = await c.run(['inspect', 'kubelet'])
  assert.match(under.stdout, /^ACTOR\s+MACHINE/)
  assert.equal(under.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['kubelet/n-a', 'kubelet/n-b'])
  const missing = await c.run(['inspect', 'no-such-actor'])
  assert.is(missing.code, 1)
  assert.match(missing.stderr, /Error from server \(NotFound\): actor "no-such-actor" not found/)
})

test('kstate explain pod/x names the NoSchedule taint that rejected a node, and the scores of the others', async () => {
  const node = 'apiVersion: v1\nkind: Node\nmetadata:\n  name: gpu-1\nspec:\n  taints:\n  - key: dedicated\n    value: gpu\n    effect: NoSchedule\n'
  assert.is((await c.run(['apply', '-f', '-'], { input: node })).code, 0)
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n'
  assert.is((await c.run(['apply', '-f', '-'], { input: pod })).code, 0)
  const out = await until(async () => {
    const r = await c.run(['explain', 'pod/x'])
    return r.code === 0 && /Result: {3}bound to n-/.test(r.stdout) && r.stdout
  }, 30_000, 'a decision for pod x')
  assert.match(out, /^gpu-1\s+TaintToleration: node\(s\) had untolerated taint \{dedicated: gpu\}$/m)
  assert.match(out, /^n-a\s+passed\s+\d+\s+\d+/m)
  assert.match(out, /^n-b\s+passed\s+\d+\s+\d+/m)
  assert.match(out, /← chosen/)
  assert.match(out, /3 nodes: 2 feasible, 1 rejected/)
  // The pod's worker on that node is an actor of the node process.
  const bound = /Result: {3}bound to (n-\w)/.exec(out)![1]
  const worker = await until(async () => {
    const r = await c.run(['inspect', `kubelet/${bound}/pod/default/x`])
    return r.code === 0 && r.stdout
  }, 30_000, 'the pod worker of x')
  assert.match(worker, new RegExp(`^Actor: {6}kubelet/${bound}/pod/default/x\nMachine: {4}podWorker\nProcess: {4}node/${bound} `))
  const json = JSON.parse((await c.run(['explain', 'pod/x', '-o', 'json'])).stdout)
  assert.equal(json.decision.nodes[0], { node: 'gpu-1', result: 'rejected', plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {dedicated: gpu}'] })
})

test('kstate inspect --diagram svg draws the node machine with its current state marked', async () => {
  const r = await c.run(['inspect', 'node-controller/n-a', '--diagram', 'svg'])
  assert.is(r.code, 0, r.stderr)
  assert.ok(r.stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'))
  assert.match(r.stdout, /<g class="state atomic current" data-state-id="node\.health\.ready">/)
  assert.match(r.stdout, /<g class="state compound region current" data-state-id="node\.health">/)
  assert.match(r.stdout, /<g class="state atomic" data-state-id="node\.health\.unknown">/)
  const mermaid = await c.run(['inspect', 'node-controller/n-a', '--diagram', 'mermaid'])
  assert.match(mermaid.stdout, /^flowchart TB\n/)
})

test('kstate inspect -f shows the node machine go ready → unknown when its node process is killed', async () => {
  const f = startProc(['inspect', 'node-controller/n-b', '-f', '--kubeconfig', c.kubeconfig])
  follows.push(f)
  await f.waitFor(/^# node-controller\/n-b \(node in control-plane\): health\.ready/m, 30_000)
  // The stream is open once the header is printed; give the subscription a moment, then kill.
  await new Promise((r) => setTimeout(r, 500))
  nodes.get('n-b')!.kill('SIGKILL')
  const m = await f.waitFor(/^(\d\d:\d\d:\d\d\.\d{3}) health\.ready, taint\.\w+ → health\.unknown, taint\.\w+ on (\S+) \((\S+)\)$/m, 40_000)
  // Node machines hear only from their parent (MONITOR_TICK, NODE_STATUS, LEASE…).
  assert.is(m[3], 'node-controller', m[0])
})

test.run()
