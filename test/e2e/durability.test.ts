/**
 * kill -9 of the whole cluster (kstate up and its nats-server) after acknowledged writes; restart
 * on the same data dir: every acknowledged object is back with the same uid and resourceVersion.
 */
import { request } from 'node:https'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadClientConfig } from '../../runtime/cluster/kubeconfig.js'
import { removeDir, startCluster, type Cluster } from './cluster.js'

let c: Cluster | undefined
let dir = ''

function post(kubeconfig: string, name: string): Promise<{ code: number; json: any }> {
  const cfg = loadClientConfig(kubeconfig)
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { schedulerName: 'kstate-test-unscheduled', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '600'] }] } })
  return new Promise((resolve, reject) => {
    const req = request(`${cfg.server}/api/v1/namespaces/default/pods`, { method: 'POST', ca: cfg.ca, headers: { authorization: `Bearer ${cfg.token}`, 'content-type': 'application/json' } }, (res) => {
      let s = ''
      res.on('data', (d) => (s += d))
      res.on('end', () => resolve({ code: res.statusCode ?? 0, json: JSON.parse(s) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

test.after(async () => {
  await c?.stop()
  if (dir) removeDir(dir)
})

test('acknowledged writes survive kill -9 of the whole cluster', async () => {
  c = await startCluster({ nodes: 1 })
  dir = c.dir
  const acked = new Map<string, { uid: string; rv: string }>()
  await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      const r = await post(c!.kubeconfig, `durable-${i}`)
      if (r.code === 201) acked.set(r.json.metadata.name, { uid: r.json.metadata.uid, rv: r.json.metadata.resourceVersion })
    }),
  )
  assert.is(acked.size, 40)
  c.proc.kill('SIGKILL') // the process group: kstate up, nats-server, pod processes
  await c.proc.exited
  c = await startCluster({ nodes: 1, dir })
  const list = JSON.parse((await c.run(['get', 'pods', '-o', 'json'])).stdout).items as { metadata: { name: string; uid: string; resourceVersion: string } }[]
  const byName = new Map(list.map((p) => [p.metadata.name, p.metadata]))
  // No scheduler or kubelet touches these pods (another schedulerName), so nothing may have changed them.
  for (const [name, { uid, rv }] of acked) {
    const m = byName.get(name)
    assert.ok(m, `${name} lost`)
    assert.is(m!.uid, uid, name)
    assert.is(m!.resourceVersion, rv, name)
  }
})

test('the same cluster continues: new writes get higher revisions', async () => {
  const before = JSON.parse((await c!.run(['get', 'pods', '-o', 'json'])).stdout)
  const r = await post(c!.kubeconfig, 'after-restart')
  assert.is(r.code, 201)
  assert.ok(Number(r.json.metadata.resourceVersion) > Number(before.metadata.resourceVersion || 0))
})

test.run()
