/**
 * The seed flow end to end, as a user runs it: `kstate up` (real nats-server, real processes),
 * `kstate apply` the command-demo Pod, `get`, `logs`, `events`; plus the API's answers to bad input.
 */
import { statSync } from 'node:fs'
import { request } from 'node:https'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadClientConfig } from '../../runtime/cluster/kubeconfig.js'
import { removeDir, ROOT, startCluster, type Cluster } from './cluster.js'

let c: Cluster

test.before(async () => {
  c = await startCluster({ nodes: 3 })
})
test.after(async () => {
  await c?.stop()
  if (c) removeDir(c.dir)
})

function api(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ code: number; json: any }> {
  const cfg = loadClientConfig(c.kubeconfig)
  return new Promise((resolve, reject) => {
    const req = request(cfg.server + path, { method, ca: cfg.ca, headers: { authorization: `Bearer ${cfg.token}`, 'content-type': 'application/json', ...headers } }, (res) => {
      let s = ''
      res.on('data', (d) => (s += d))
      res.on('end', () => {
        let json: unknown
        try {
          json = JSON.parse(s)
        } catch {
          json = s
        }
        resolve({ code: res.statusCode ?? 0, json })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

const podJson = (name: string, extra: object = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '30'] }], ...extra } })

test('kubeconfig is written 0600 and /readyz answers 200', async () => {
  assert.is(statSync(c.kubeconfig).mode & 0o777, 0o600)
  const r = await api('GET', '/readyz')
  assert.is(r.code, 200)
})

test('three nodes register and become Ready', async () => {
  const out = await c.until(async () => {
    const r = await c.run(['get', 'nodes'])
    return (r.stdout.match(/\bReady\b/g) ?? []).length === 3 && r.stdout
  }, 30_000, 'three Ready nodes')
  assert.match(out, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/)
})

test('the command-demo pod runs printenv HOSTNAME KUBERNETES_PORT on a node and completes', async () => {
  const applied = await c.run(['apply', '-f', `${ROOT}/examples/command-demo.yaml`])
  assert.is(applied.code, 0, applied.stderr)
  assert.match(applied.stdout, 'pod/command-demo created')
  await c.until(async () => (await c.run(['get', 'pods'])).stdout.includes('Completed'), 30_000, 'command-demo Completed')
  const wide = await c.run(['get', 'pods', '-o', 'wide'])
  assert.match(wide.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/)
  assert.match(wide.stdout, /command-demo\s+0\/1\s+Completed\s+0\s+\S+\s+\S+\s+node-\d/)
  const logs = await c.run(['logs', 'command-demo'])
  assert.is(logs.code, 0, logs.stderr)
  assert.match(logs.stdout, /^command-demo$/m)
  assert.match(logs.stdout, /^tcp:\/\/127\.0\.0\.1:\d+$/m)
})

test('kstate events shows the pod\'s history with actors and causes', async () => {
  const r = await c.run(['events', '-o', 'json'])
  assert.is(r.code, 0, r.stderr)
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
  const mine = rows.filter((e) => e.object === 'pod/default/command-demo')
  const types = mine.map((e) => e.type)
  assert.ok(types.includes('PodCreated') && types.includes('PodBound') && types.includes('PodStatusUpdated'), types.join(','))
  const created = mine.find((e) => e.type === 'PodCreated')
  const bound = mine.find((e) => e.type === 'PodBound')
  assert.is(bound.by, 'system:kube-scheduler')
  assert.is(bound.cause, created.rev)
  for (const e of rows) assert.ok(Object.keys(e).join(',') === 'rev,type,object,by,cause,at', Object.keys(e).join(','))
  const table = await c.run(['events'])
  assert.match(table.stdout, /^REV\s+TYPE\s+OBJECT\s+BY\s+CAUSE\s+AGE/)
})

test('a restartPolicy Never pod whose command succeeds reaches Succeeded', async () => {
  const manifest = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: once\nspec:\n  restartPolicy: Never\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "echo done"]\n`
  const r = await c.run(['apply', '-f', '-'], { input: manifest })
  assert.is(r.code, 0, r.stderr)
  const phase = await c.until(async () => {
    const p = JSON.parse((await c.run(['get', 'pod', 'once', '-o', 'json'])).stdout)
    return p.status?.phase === 'Succeeded' && p
  }, 30_000, 'Succeeded')
  assert.is(phase.status.containerStatuses[0].state.terminated.exitCode, 0)
})

test('a failing Never pod reaches Failed with its exit code', async () => {
  const r = await api('POST', '/api/v1/namespaces/default/pods', podJson('fails', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 3'] }] }))
  assert.is(r.code, 201)
  const p = await c.until(async () => {
    const g = await api('GET', '/api/v1/namespaces/default/pods/fails')
    return g.json.status?.phase === 'Failed' && g.json
  }, 30_000, 'Failed')
  assert.is(p.status.containerStatuses[0].state.terminated.exitCode, 3)
})

test('deleting a running pod stops its process and removes it', async () => {
  assert.is((await api('POST', '/api/v1/namespaces/default/pods', podJson('sleeper'))).code, 201)
  await c.until(async () => (await api('GET', '/api/v1/namespaces/default/pods/sleeper')).json.status?.phase === 'Running', 30_000, 'Running')
  const d = await c.run(['delete', 'pod', 'sleeper'], { timeoutMs: 40_000 })
  assert.is(d.code, 0, d.stderr)
  assert.match(d.stdout, 'pod "sleeper" deleted')
  assert.is((await api('GET', '/api/v1/namespaces/default/pods/sleeper')).code, 404)
})

test('no token → 401 Status; wrong token → 401', async () => {
  const cfg = loadClientConfig(c.kubeconfig)
  for (const auth of [undefined, 'Bearer nope']) {
    const r = await new Promise<{ code: number; json: any }>((resolve, reject) => {
      const req = request(cfg.server + '/api/v1/pods', { ca: cfg.ca, headers: auth ? { authorization: auth } : {} }, (res) => {
        let s = ''
        res.on('data', (d) => (s += d))
        res.on('end', () => resolve({ code: res.statusCode ?? 0, json: JSON.parse(s) }))
      })
      req.on('error', reject)
      req.end()
    })
    assert.is(r.code, 401)
    assert.is(r.json.kind, 'Status')
    assert.is(r.json.reason, 'Unauthorized')
  }
})

test('invalid pods are 422 with field paths; nothing is stored', async () => {
  const cases: [string, string][] = [
    [podJson('Bad_Name'), 'metadata.name'],
    [JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nocontainers' }, spec: { containers: [] } }), 'spec.containers'],
    [JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'noimage' }, spec: { containers: [{ name: 'c' }] } }), 'spec.containers[0].image'],
    [podJson('badcpu', { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '1.2.3' } } }] }), 'spec.containers[0].resources.requests[cpu]'],
    [podJson('negmem', { containers: [{ name: 'c', image: 'i', resources: { requests: { memory: '-64Mi' } } }] }), 'spec.containers[0].resources.requests[memory]'],
  ]
  for (const [body, field] of cases) {
    const r = await api('POST', '/api/v1/namespaces/default/pods', body)
    assert.is(r.code, 422, body)
    assert.is(r.json.reason, 'Invalid')
    assert.ok(r.json.details.causes.some((x: { field: string }) => x.field === field), `${field} in ${JSON.stringify(r.json.details.causes)}`)
  }
  const list = await api('GET', '/api/v1/namespaces/default/pods')
  assert.not.ok(list.json.items.some((p: { metadata: { name: string } }) => ['nocontainers', 'noimage', 'badcpu', 'negmem'].includes(p.metadata.name)))
})

test('malformed JSON is 400, a body over 3 MiB is 413, both as Status', async () => {
  const bad = await api('POST', '/api/v1/namespaces/default/pods', '{"apiVersion": "v1", kind')
  assert.is(bad.code, 400)
  assert.is(bad.json.kind, 'Status')
  const big = Buffer.alloc(3 * 1024 * 1024 + 10, 'a')
  const r = await api('POST', '/api/v1/namespaces/default/pods', big)
  assert.is(r.code, 413)
  assert.is(r.json.reason, 'RequestEntityTooLarge')
})

test('create of an existing name is 409 AlreadyExists; a stale update is 409 Conflict', async () => {
  assert.is((await api('POST', '/api/v1/namespaces/default/pods', podJson('dup'))).code, 201)
  const again = await api('POST', '/api/v1/namespaces/default/pods', podJson('dup'))
  assert.is(again.code, 409)
  assert.is(again.json.reason, 'AlreadyExists')
  const cur = (await api('GET', '/api/v1/namespaces/default/pods/dup')).json
  const stale = { ...cur, metadata: { ...cur.metadata, resourceVersion: String(Number(cur.metadata.resourceVersion) - 1), labels: { x: 'y' } } }
  const r = await api('PUT', '/api/v1/namespaces/default/pods/dup', JSON.stringify(stale))
  assert.is(r.code, 409)
  assert.is(r.json.reason, 'Conflict')
})

test('lists carry metadata.resourceVersion; uid and resourceVersion are set at create', async () => {
  const list = await api('GET', '/api/v1/pods')
  assert.ok(Number(list.json.metadata.resourceVersion) > 0)
  const p = (await api('GET', '/api/v1/namespaces/default/pods/dup')).json
  assert.match(p.metadata.uid, /^[0-9a-f-]{36}$/)
  assert.ok(Number(p.metadata.resourceVersion) > 0)
  assert.is(p.spec.restartPolicy, 'Always')
  assert.is(p.metadata.namespace, 'default')
})

function watchFor(path: string, ms: number): Promise<{ type: string; object: any }[]> {
  const cfg = loadClientConfig(c.kubeconfig)
  return new Promise((resolve, reject) => {
    const req = request(cfg.server + path, { ca: cfg.ca, headers: { authorization: `Bearer ${cfg.token}` } }, (res) => {
      let s = ''
      res.on('data', (d) => (s += d))
      res.on('end', () => resolve(s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))))
    })
    req.on('error', reject)
    req.end()
    setTimeout(() => req.destroy(), ms + 2000)
  })
}

test('a watch from an older resourceVersion resumes with exactly the changes after it', async () => {
  const list = await api('GET', '/api/v1/namespaces/default/pods')
  const from = Number(list.json.metadata.resourceVersion)
  assert.is((await api('POST', '/api/v1/namespaces/default/pods', podJson('watched', { schedulerName: 'nobody' }))).code, 201)
  await api('PATCH', '/api/v1/namespaces/default/pods/watched', JSON.stringify({ metadata: { labels: { step: 'two' } } }), { 'content-type': 'application/merge-patch+json' })
  await api('DELETE', '/api/v1/namespaces/default/pods/watched?gracePeriodSeconds=0')
  // The projection has moved on: this watch must replay from the log.
  const events = await watchFor(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${from}&fieldSelector=metadata.name%3Dwatched&timeoutSeconds=2`, 2000)
  assert.equal(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED'])
  assert.is(events[1].object.metadata.labels.step, 'two')
  for (const e of events) assert.ok(Number(e.object.metadata.resourceVersion) > from)
})

test('a watch without resourceVersion starts with the current objects as ADDED', async () => {
  const events = await watchFor('/api/v1/namespaces/default/pods?watch=true&labelSelector=purpose%3Ddemonstrate-command&timeoutSeconds=1', 1000)
  assert.equal(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'command-demo']])
})

test('kstate get answers well under half a second', async () => {
  const times: number[] = []
  for (let i = 0; i < 3; i++) times.push((await c.run(['get', 'pods'])).ms)
  const best = Math.min(...times)
  assert.ok(best < 500, `kstate get took ${best} ms`)
})

test('client errors are one line and a non-zero exit', async () => {
  const r = await c.run(['get', 'pod', 'missing'])
  assert.is(r.code, 1)
  assert.is(r.stderr.trim().split('\n').length, 1)
  assert.match(r.stderr, 'Error from server (NotFound): pods "missing" not found')
  const bad = await c.run(['apply', '-f', '/nonexistent.yaml'])
  assert.is(bad.code, 1)
  assert.is(bad.stderr.trim().split('\n').length, 1)
})

test.run()
