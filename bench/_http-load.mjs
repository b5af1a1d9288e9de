// Load generator for api-write, in a worker thread so it has its own core: POSTs `total` pods over
// `concurrency` keep-alive connections and reports pods/s. Plain JS: workers need no loader.
import { parentPort, workerData } from 'node:worker_threads'
import https from 'node:https'

const { url, token, ca, total, concurrency, prefix } = workerData
const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, ca })
const target = new URL(url + '/api/v1/namespaces/default/pods')

function body(i) {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${prefix}-${i}`, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
  })
}

function post(i) {
  return new Promise((resolve, reject) => {
    const b = body(i)
    const req = https.request(target, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) } }, (res) => {
      res.resume()
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))))
    })
    req.on('error', reject)
    req.end(b)
  })
}

let next = 0
let failed = 0
const started = performance.now()
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++
      await post(i).catch(() => failed++)
    }
  }),
)
const secs = (performance.now() - started) / 1000
parentPort.postMessage({ ok: total - failed, failed, secs })
agent.destroy()
