import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import https from 'node:https'
import { startControlPlane } from '../runtime/cluster/control-plane.js'
import { loadOrCreateTls } from '../runtime/cluster/tls.js'
import { logger, setLogLevel } from '../runtime/log.js'
import { startNatsServer } from '../runtime/nats/server.js'
setLogLevel('warn')
const dir = mkdtempSync(join(tmpdir(), 'api-'))
const nats = await startNatsServer({ storeDir: join(dir, 'n'), pidFile: join(dir, 'p'), passwords: { controlPlane: 'a', node: 'b' }, log: logger('x') })
const tls = await loadOrCreateTls(dir)
const cp = await startControlPlane({ nats: { url: nats.url, user: 'control-plane', pass: 'a' }, apiPort: 0, adminToken: 't', tls, scheduler: false, log: logger('x') })
const agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca: tls.ca })
const get = (path: string, method = 'GET', body?: string) => new Promise<void>((res, rej) => { const r = https.request(cp.apiUrl + path, { agent, method, headers: { authorization: 'Bearer t', ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } }, (x) => { x.resume(); x.on('end', () => res()) }); r.on('error', rej); r.end(body) })
for (const round of [1, 2]) {
  let next = 0; const N = 5000; const t = performance.now()
  await Promise.all(Array.from({ length: 32 }, async () => { while (next++ < N) await get('/version') }))
  console.log('GET /version', Math.round(N / ((performance.now() - t) / 1000)), '/s')
  next = 0; const t2 = performance.now()
  await Promise.all(Array.from({ length: 32 }, async () => { while (next < N) { const i = next++; await get('/api/v1/namespaces/default/pods', 'POST', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${round}-${i}` }, spec: { containers: [{ name: 'c', image: 'i' }] } })) } }))
  console.log('POST pods', Math.round(N / ((performance.now() - t2) / 1000)), '/s')
}
await cp.stop(); await nats.stop(); process.exit(0)
