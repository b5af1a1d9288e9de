import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startControlPlane } from '../runtime/cluster/control-plane.js'
import { loadOrCreateTls } from '../runtime/cluster/tls.js'
import { logger, setLogLevel } from '../runtime/log.js'
import { startNatsServer } from '../runtime/nats/server.js'
setLogLevel('warn')
const dir = mkdtempSync(join(tmpdir(), 'api-'))
const nats = await startNatsServer({ storeDir: join(dir, 'n'), pidFile: join(dir, 'p'), passwords: { controlPlane: 'a', node: 'b' }, log: logger('x') })
const cp = await startControlPlane({ nats: { url: nats.url, user: 'control-plane', pass: 'a' }, apiPort: 0, adminToken: 't', tls: await loadOrCreateTls(dir), scheduler: false, log: logger('x') })
const body = (i: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' + i, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } })
for (const N of [2000, 5000]) {
  let next = 0, fails = 0
  const base = N * 10
  const t = performance.now()
  await Promise.all(Array.from({ length: 256 }, async () => {
    while (next < N) {
      const i = base + next++
      const r = await cp.api.request({ verb: 'create', resource: 'pods', namespace: 'default', object: body(i) }, { user: 'admin' })
      if (!r.ok) fails++
    }
  }))
  console.log('direct api.request', N, Math.round(N / ((performance.now() - t) / 1000)), '/s fails', fails)
}
await cp.stop(); await nats.stop(); process.exit(0)
