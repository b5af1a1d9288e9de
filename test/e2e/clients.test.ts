/**
 * What users run besides `get`: `kstate logs -f`, `kstate events -f`, the real kubectl against the
 * same kubeconfig, and a clean stop of `kstate up` on SIGTERM with no process left behind.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CLI, removeDir, startCluster, until, type Cluster } from './cluster.js'

let c: Cluster

test.before(async () => {
  c = await startCluster({ nodes: 2 })
})
test.after(async () => {
  await c?.stop()
  if (c) removeDir(c.dir)
})

/** Runs a following command until `done(output)` holds or the deadline passes, then stops it. */
function follow(args: string[], done: (out: string) => boolean, timeoutMs = 20_000): Promise<{ out: string; exited: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--kubeconfig', c.kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let exited = false
    const finish = () => {
      clearTimeout(t)
      child.kill('SIGTERM')
      resolve({ out, exited })
    }
    const t = setTimeout(finish, timeoutMs)
    child.stdout.on('data', (d) => {
      out += d
      if (done(out)) finish()
    })
    child.on('exit', () => {
      exited = true
      finish()
    })
  })
}

test('kstate logs -f streams a running container\'s output and ends when it exits', async () => {
  const manifest = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ticker\nspec:\n  restartPolicy: Never\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "for i in 1 2 3 4 5 6; do echo tick-$i; sleep 0.5; done"]\n`
  assert.is((await c.run(['apply', '-f', '-'], { input: manifest })).code, 0)
  await until(async () => /Running|Completed/.test((await c.run(['get', 'pod', 'ticker'])).stdout), 20_000, 'ticker running')
  const r = await follow(['logs', '-f', 'ticker'], () => false, 20_000)
  assert.ok(r.exited, 'logs -f should end when the container ends')
  assert.match(r.out, /tick-1\n[\s\S]*tick-6\n/)
})

test('kstate events -f prints new events as they are appended', async () => {
  const pending = follow(['events', '-f', '-o', 'json'], (out) => out.includes('"pod/default/late"'))
  await new Promise((r) => setTimeout(r, 500))
  const manifest = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: late\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "60"]\n`
  assert.is((await c.run(['apply', '-f', '-'], { input: manifest })).code, 0)
  const r = await pending
  const rows = r.out.trim().split('\n').map((l) => JSON.parse(l))
  assert.ok(rows.some((e) => e.type === 'PodCreated' && e.object === 'pod/default/late'))
})

const hasKubectl = spawnSync('sh', ['-c', 'command -v kubectl']).status === 0
if (hasKubectl) {
  test('the real kubectl works against the same kubeconfig: get, apply, delete', async () => {
    const kubectl = (...args: string[]) => execFileSync('kubectl', ['--kubeconfig', c.kubeconfig, ...args], { encoding: 'utf8', timeout: 30_000 })
    assert.match(kubectl('get', 'nodes'), /node-1\s+Ready/)
    const applied = execFileSync('kubectl', ['--kubeconfig', c.kubeconfig, 'apply', '-f', '-'], {
      encoding: 'utf8',
      input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-kubectl\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "60"]\n',
    })
    assert.match(applied, 'pod/from-kubectl created')
    await until(async () => /from-kubectl\s+1\/1\s+Running/.test(kubectl('get', 'pods')), 20_000, 'from-kubectl Running')
    assert.match(kubectl('get', 'pods', '-o', 'wide'), /from-kubectl\s+1\/1\s+Running\s+0\s+\S+\s+127\.0\.0\.1\s+node-\d/)
    assert.match(kubectl('get', 'pod', 'from-kubectl', '-o', 'jsonpath={.spec.restartPolicy}'), /^Always$/)
    assert.match(kubectl('delete', 'pod', 'from-kubectl'), 'pod "from-kubectl" deleted')
    assert.not.match(kubectl('get', 'pods'), 'from-kubectl')
  })

  test('kubectl patch: strategic merge keeps list elements by key, json patch applies operations, a bad patch changes nothing', () => {
    const kubectl = (...args: string[]) => execFileSync('kubectl', ['--kubeconfig', c.kubeconfig, ...args], { encoding: 'utf8', timeout: 30_000 })
    execFileSync('kubectl', ['--kubeconfig', c.kubeconfig, 'apply', '-f', '-'], {
      encoding: 'utf8',
      input: [
        'apiVersion: apps/v1', 'kind: ReplicaSet', 'metadata:', '  name: patched', 'spec:', '  replicas: 0', '  selector:', '    matchLabels: {app: patched}',
        '  template:', '    metadata:', '      labels: {app: patched}', '    spec:', '      containers:', '      - name: c', '        image: busybox',
        '        command: ["sleep", "60"]', '        env: [{name: A, value: "1"}]', '',
      ].join('\n'),
    })
    kubectl('patch', 'rs', 'patched', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"c","env":[{"name":"B","value":"2"}]}]}}}}')
    const env = () => kubectl('get', 'rs', 'patched', '-o', 'jsonpath={.spec.template.spec.containers[0].env[*].name} {.spec.template.spec.containers[0].image}')
    assert.is(env(), 'A B busybox')
    kubectl('patch', 'rs', 'patched', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"busybox:2"}]')
    assert.is(env(), 'A B busybox:2')
    const bad = spawnSync('kubectl', ['--kubeconfig', c.kubeconfig, 'patch', 'rs', 'patched', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":7}]'], { encoding: 'utf8' })
    assert.is.not(bad.status, 0)
    assert.match(bad.stderr, /rejected|test/i)
    assert.is(env(), 'A B busybox:2')
    kubectl('delete', 'rs', 'patched')
  })
} else {
  console.log('kubectl is not installed: the kubectl compatibility test did not run')
}

test('SIGTERM stops kstate up cleanly: nats-server and pod processes go with it', async () => {
  const pid = c.proc.child.pid!
  const dir = c.dir
  // Every child of kstate up: nats-server, the pods' processes (own process groups), watchdogs.
  const children = execFileSync('sh', ['-c', `ps -eo pid,ppid | awk '$2 == ${pid} {print $1}'`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number)
  assert.ok(children.length >= 2, `expected nats-server and pod processes, got ${children}`)
  c.proc.kill('SIGTERM')
  const code = await c.proc.exited
  assert.is(code, 0)
  const left = execFileSync('sh', ['-c', `ps -eo pid,pgid,args | grep -F "${dir}" | grep -v grep || true`], { encoding: 'utf8' }).trim()
  assert.is(left, '', `left behind:\n${left}`)
  const group = execFileSync('sh', ['-c', `ps -eo pgid,args | awk '$1 == ${pid}' || true`], { encoding: 'utf8' }).trim()
  assert.is(group, '', `processes of the group left:\n${group}`)
  await new Promise((r) => setTimeout(r, 300))
  const alive = children.filter((p) => {
    try {
      process.kill(p, 0)
      return true
    } catch {
      return false
    }
  })
  assert.equal(alive, [], 'children of kstate up still running')
})

test.run()
