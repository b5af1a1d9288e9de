/** An in-process control plane on a real nats-server, and an HTTPS client for its API. */
import { mkdtempSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startControlPlane, type ControlPlane, type ControlPlaneFlags } from '../../runtime/cluster/control-plane.js'
import { loadOrCreateTls, type ServingTls } from '../../runtime/cluster/tls.js'
import type { Logger } from '../../runtime/log.js'
import { startNatsServer, type RunningNatsServer } from '../../runtime/nats/server.js'
import { removeDir } from '../e2e/cluster.js'

export const TOKEN = 'test-token'

export interface TestCluster {
  dir: string
  nats: RunningNatsServer
  tls: ServingTls
  natsTarget: { url: string; user: string; pass: string }
  start(flags?: ControlPlaneFlags): Promise<ControlPlane>
  stop(): Promise<void>
}

export async function startTestNats(log: Logger): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kstate-cp-'))
  const nats = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'pid'), passwords: { controlPlane: 'cp', node: 'n' }, log })
  const tls = await loadOrCreateTls(dir)
  const natsTarget = { url: nats.url, user: 'control-plane', pass: 'cp' }
  const running: ControlPlane[] = []
  return {
    dir,
    nats,
    tls,
    natsTarget,
    async start(flags) {
      const cp = await startControlPlane({ nats: natsTarget, apiPort: 0, adminToken: TOKEN, tls, scheduler: false, flags, log })
      running.push(cp)
      return cp
    },
    async stop() {
      for (const cp of running) await cp.stop().catch(() => {})
      await nats.stop()
      removeDir(dir)
    },
  }
}

export interface HttpAnswer {
  code: number
  body: string
}

/** One HTTPS request to the API; with `ms`, a streaming request (a watch) is cut after that long. */
export function api(cp: ControlPlane, ca: string, method: string, path: string, body?: unknown, ms?: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body)
    const req = request(`${cp.apiUrl}${path}`, { method, ca, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(text ? { 'content-length': Buffer.byteLength(text) } : {}) } }, (res) => {
      let out = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (out += d))
      res.on('close', () => resolve({ code: res.statusCode ?? 0, body: out }))
      if (ms !== undefined) setTimeout(() => req.destroy(), ms)
    })
    req.on('error', (e) => (ms !== undefined ? undefined : reject(e)))
    req.end(text)
  })
}
