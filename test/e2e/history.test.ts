/**
 * The cluster's past on a real cluster: `events --type/--object`, `get --at` (and kubectl's own
 * `resourceVersionMatch=Exact`), `diff`, `why`, `export` → `import` → `replay` served to kstate and
 * the real kubectl (writes 405), with the same objects as the live cluster had.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kstate, removeDir, startCluster, startProc, type Cluster, type Proc } from './cluster.js'
import { readExportHeader } from '../../runtime/export/format.js'
import { WEB_RS as RS } from './manifests.js'

let c: Cluster
const work = mkdtempSync(join(tmpdir(), 'kstate-history-'))
const replays: Proc[] = []

interface Row {
  rev: number
  type: string
  object: string
  by: string
  cause: number | null
  at: string
}

async function events(...args: string[]): Promise<Row[]> {
  const r = await c.run(['events', '-o', 'json', ...args])
  assert.is(r.code, 0, r.stderr)
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
}

const json = (s: string) => JSON.parse(s)

test.before(async () => {
  c = await startCluster({ nodes: 2 })
  assert.is((await c.run(['apply', '-f', '-'], { input: RS })).code, 0)
  await c.until(async () => (await c.run(['get', 'pods'])).stdout.match(/Running/g)?.length === 2, 30_000, 'two web pods Running')
  await c.until(async () => /web\s+2\s+2\s+2\s/.test((await c.run(['get', 'rs'])).stdout), 20_000, 'ReplicaSet web 2/2 ready')
})
test.after(async () => {
  for (const p of replays) {
    p.kill('SIGTERM')
    await Promise.race([p.exited, new Promise((r) => setTimeout(r, 5_000))])
    p.kill('SIGKILL')
  }
  await c?.stop()
  if (c) removeDir(c.dir)
  removeDir(work)
})

test('events --type and --object filter on the server', async () => {
  const all = await events()
  const bound = await events('--type', 'PodBound,ReplicaSetCreated')
  assert.equal(bound.map((e) => e.rev), all.filter((e) => e.type === 'PodBound' || e.type === 'ReplicaSetCreated').map((e) => e.rev))
  assert.ok(bound.length === 3)
  const pod = all.find((e) => e.type === 'PodCreated')!.object // pod/default/web-xxxxx
  const name = pod.split('/')[2]
  const mine = await events('--object', `pod/${name}`)
  assert.equal(mine.map((e) => e.rev), all.filter((e) => e.object === pod).map((e) => e.rev))
  assert.equal((await events('--object', 'rs/web')).map((e) => e.type).slice(0, 1), ['ReplicaSetCreated'])
  const bad = await c.run(['events', '--type', 'Evicted'])
  assert.is(bad.code, 1)
  assert.match(bad.stderr, 'Error from server (BadRequest): unknown event type "Evicted"')
})

test('get --at REV and --at TIME answer from the cluster as it was; beyond the head is 504 Timeout', async () => {
  const all = await events()
  const created = all.find((e) => e.type === 'ReplicaSetCreated')!
  const firstBound = all.find((e) => e.type === 'PodBound')!
  const none = await c.run(['get', 'pods', '--at', String(created.rev)])
  assert.is(none.code, 0)
  assert.match(none.stderr, 'No resources found in default namespace.')
  const atBound = await c.run(['get', 'pods', '-o', 'json', '--at', String(firstBound.rev)])
  const list = json(atBound.stdout)
  assert.is(list.metadata.resourceVersion, String(firstBound.rev))
  assert.ok(list.items.length >= 1)
  for (const p of list.items) assert.ok(Number(p.metadata.resourceVersion) <= firstBound.rev)
  assert.ok(list.items.some((p: any) => p.spec.nodeName), 'the bound pod has its node')
  assert.ok(list.items.every((p: any) => !p.status?.phase || p.status.phase === 'Pending'), 'nothing ran yet')
  // A time resolves to the last event at or before it.
  const byTime = await c.run(['get', 'pods', '-o', 'json', '--at', firstBound.at])
  assert.is(json(byTime.stdout).metadata.resourceVersion.length > 0, true)
  assert.ok(Number(json(byTime.stdout).metadata.resourceVersion) >= firstBound.rev)
  const one = await c.run(['get', 'pod', list.items[0].metadata.name, '-o', 'json', '--at', String(firstBound.rev)])
  assert.is(json(one.stdout).metadata.resourceVersion, list.items[0].metadata.resourceVersion)
  const future = await c.run(['get', 'pods', '--at', '99999999'])
  assert.is(future.code, 1)
  assert.match(future.stderr, /Error from server \(Timeout\): Timeout: Too large resource version: 99999999, current: \d+/)
})

const hasKubectl = spawnSync('sh', ['-c', 'command -v kubectl']).status === 0
const kubectl = (kubeconfig: string, ...args: string[]) => spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 30_000 })

if (hasKubectl) {
  test('kubectl reads the past with Kubernetes\' own resourceVersionMatch=Exact', async () => {
    const created = (await events('--type', 'PodCreated'))[0]
    const r = kubectl(c.kubeconfig, 'get', '--raw', `/api/v1/namespaces/default/pods?resourceVersion=${created.rev}&resourceVersionMatch=Exact`)
    assert.is(r.status, 0, r.stderr)
    const list = json(r.stdout)
    assert.is(list.metadata.resourceVersion, String(created.rev))
    assert.equal(list.items.map((p: any) => `pod/default/${p.metadata.name}`), [created.object])
    const bad = kubectl(c.kubeconfig, 'get', '--raw', '/api/v1/pods?resourceVersion=0&resourceVersionMatch=Exact')
    assert.is.not(bad.status, 0)
    assert.match(bad.stderr, /resourceVersionMatch "exact" is forbidden for resourceVersion "0"/)
  })
}

test('diff lists added objects and changed fields by path', async () => {
  const all = await events()
  const created = all.find((e) => e.type === 'ReplicaSetCreated')!
  const r = await c.run(['diff', '--from', String(created.rev)])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^\+ pod\/default\/web-\w+$/m)
  assert.match(r.stdout, /^~ replicaset\/default\/web \(resourceVersion \d+ → \d+\)$/m)
  assert.match(r.stdout, /^ {4}status\.readyReplicas: <none> → 2$/m)
  const bound = all.find((e) => e.type === 'PodBound')!
  const d = json((await c.run(['diff', '--from', String(bound.cause), '--to', String(bound.rev), '-o', 'json'])).stdout)
  const change = d.changed.find((x: any) => x.object === bound.object)
  assert.ok(change.changes.some((f: any) => f.path === 'spec.nodeName' && f.from === undefined && /^node-\d$/.test(f.to)), JSON.stringify(change))
})

test('why follows cause back from a pod to the user\'s ReplicaSet', async () => {
  const pod = (await events('--type', 'PodCreated'))[0].object
  const r = await c.run(['why', pod.replace('pod/default/', 'pod/')])
  assert.is(r.code, 0, r.stderr)
  const lines = r.stdout.split('\n')
  assert.match(lines[0], `${pod} at revision`)
  assert.match(r.stdout, / \d+ +\S+ +admin +ReplicaSetCreated +replicaset\/default\/web +created \(replicas 2\)/)
  assert.match(r.stdout, /\*\d+ +\S+ +system:replicaset-controller +PodCreated .*created by ReplicaSet web/)
  assert.match(r.stdout, /\*\d+ +\S+ +system:kube-scheduler +PodBound .*scheduled on node-\d/)
  assert.match(r.stdout, /Running, Ready=True/)
  const w = json((await c.run(['why', pod, '-o', 'json'])).stdout)
  assert.is(w.steps[0].type, 'ReplicaSetCreated')
  assert.is(w.steps[0].by, 'admin')
})

test('export → import → replay: the same objects, served read-only to kstate and kubectl', async () => {
  const file = join(work, 'cluster.kslog')
  const exp = await c.run(['export', '-o', file])
  assert.is(exp.code, 0, exp.stderr)
  const m = /exported (\d+) events \(revisions 1–(\d+)\)/.exec(exp.stdout)!
  assert.ok(m, exp.stdout)
  const last = Number(m[2])
  assert.ok(statSync(file).size > 0)
  // The header carries the recording control plane's flags, so `replay --verify` uses the same timings.
  const header = await readExportHeader(file)
  assert.is(header.flags?.nodeLifecycle?.nodeMonitorGracePeriodMs, 40_000)
  assert.is(header.flags?.nodeLifecycle?.nodeMonitorPeriodMs, 5_000)
  const imported = join(work, 'imported')
  const imp = await kstate(['import', file, '--data-dir', imported])
  assert.is(imp.code, 0, imp.stderr)
  assert.match(imp.stdout, `imported ${m[1]} events (revisions 1–${last}`)

  const proc = startProc(['replay', '--to', String(last), '--data-dir', imported, '--api-port', '0'])
  replays.push(proc)
  const ready = await proc.waitFor(/kstate replay ready: the cluster at revision (\d+).*API (https:[^;\s]+); kubeconfig (\S+)/, 60_000)
  assert.is(Number(ready[1]), last)
  const kc = ready[3]
  assert.is(statSync(kc).mode & 0o777, 0o600)
  const past = json((await kstate(['get', 'pods', '-o', 'json', '--kubeconfig', kc])).stdout)
  const live = json((await c.run(['get', 'pods', '-o', 'json', '--at', String(last)])).stdout)
  const key = (l: any) => l.items.map((p: any) => `${p.metadata.name} ${p.metadata.uid} ${p.metadata.resourceVersion} ${p.status?.phase}`).sort()
  assert.equal(key(past), key(live))
  assert.is(past.metadata.resourceVersion, String(last))
  const text = await kstate(['get', 'rs', '--kubeconfig', kc])
  assert.match(text.stdout, /web\s+2\s+2\s+2/)
  const del = await kstate(['delete', 'pod', past.items[0].metadata.name, '--kubeconfig', kc])
  assert.is(del.code, 1)
  assert.match(del.stderr, 'Error from server (MethodNotAllowed)')
  if (hasKubectl) {
    const got = kubectl(kc, 'get', 'pods')
    assert.is(got.status, 0, got.stderr)
    assert.match(got.stdout, /web-\w+\s+1\/1\s+Running/)
    const k405 = kubectl(kc, 'scale', 'rs', 'web', '--replicas', '5')
    assert.is.not(k405.status, 0)
    assert.match(k405.stderr, /MethodNotAllowed|read-only/)
    const apply = execFileSync('sh', ['-c', `kubectl --kubeconfig ${kc} apply -f - 2>&1 || true`], {
      encoding: 'utf8',
      input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: late\nspec:\n  containers:\n  - name: c\n    image: busybox\n',
    })
    assert.match(apply, /read-only/)
  }
})

test('the imported store runs as a cluster: kstate up on it serves the same objects', async () => {
  const imported = join(work, 'imported')
  // The replay of the imported store holds its nats-server: stop it first.
  const first = replays.shift()!
  first.kill('SIGTERM')
  await first.exited
  const last = Number((await events()).pop()!.rev)
  const live = json((await c.run(['get', 'pods', '-o', 'json', '--at', String(last)])).stdout)
  const copy = await startCluster({ dir: imported, nodes: 0 })
  try {
    const got = json((await copy.run(['get', 'pods', '-o', 'json'])).stdout)
    const key = (l: any) => l.items.map((p: any) => `${p.metadata.name} ${p.metadata.uid} ${p.spec.nodeName}`).sort()
    assert.equal(key(got), key(live))
    assert.ok(Number(got.metadata.resourceVersion) >= last)
  } finally {
    await copy.stop()
  }
})

test('replay --to an earlier time of the running cluster: the past, read-only, on its own port', async () => {
  const created = (await events('--type', 'ReplicaSetCreated'))[0]
  const kc = join(work, 'early.kubeconfig')
  // By time: the last event at or before the instant the ReplicaSet was created.
  const proc = startProc(['replay', '--to', created.at, '--data-dir', c.dir, '--api-port', '0', '--write-kubeconfig', kc])
  replays.push(proc)
  const ready = await proc.waitFor(/kstate replay ready: the cluster at revision (\d+)/, 60_000)
  assert.ok(Number(ready[1]) >= created.rev)
  const rs = json((await kstate(['get', 'rs', 'web', '-o', 'json', '--kubeconfig', kc])).stdout)
  assert.is(rs.metadata.resourceVersion, String(created.rev))
  assert.not.ok(rs.status?.readyReplicas, 'no pod was ready yet')
  const pods = await kstate(['get', 'pods', '--kubeconfig', kc])
  assert.not.match(pods.stdout, /Running/)
  // The live cluster goes on meanwhile.
  assert.match((await c.run(['get', 'pods'])).stdout, /Running/)
})

test.run()
