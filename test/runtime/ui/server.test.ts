/**
 * `kstate ui`'s local server: serves the page, forwards reads to the API with the kubeconfig's
 * token (streams as they come), refuses writes and foreign Host headers, like kubectl proxy.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { logger, setLogLevel } from '../../../runtime/log.js'
import { startUiServer, type UiServer } from '../../../runtime/ui/server.js'

setLogLevel('error')
let upstream: Server
let upstreamPort = 0
let ui: UiServer
const seen: { method?: string; url?: string; headers: IncomingHttpHeaders }[] = []
let releaseSecondLine: () => void = () => {}

test.before(async () => {
  upstream = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers })
    if (req.url?.startsWith('/api/v1/pods?watch=1')) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n')
      releaseSecondLine = () => res.end('{"type":"ADDED","object":{"metadata":{"name":"b"}}}\n')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ kind: 'NodeList', items: [] }))
  })
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()))
  upstreamPort = (upstream.address() as { port: number }).port
  ui = await startUiServer({ port: 0, client: { server: `http://127.0.0.1:${upstreamPort}`, token: 's3cret', namespace: 'default', path: 'kubeconfig' }, log: logger('test') })
})
test.after(async () => {
  await ui?.stop()
  upstream?.close()
  upstream?.closeAllConnections()
})

function get(path: string, o: { method?: string; host?: string } = {}): Promise<{ code: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ui.port, path, method: o.method ?? 'GET', headers: o.host ? { host: o.host } : {} }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

test('reads are forwarded with the kubeconfig token; the browser sends none', async () => {
  const r = await get('/api/v1/nodes?labelSelector=a%3Db')
  assert.is(r.code, 200)
  assert.equal(JSON.parse(r.body), { kind: 'NodeList', items: [] })
  const last = seen.at(-1)!
  assert.is(last.url, '/api/v1/nodes?labelSelector=a%3Db')
  assert.is(last.headers.authorization, 'Bearer s3cret')
  for (const p of ['/apis/apps/v1/replicasets', '/kstate/v1/events?since=1', '/version']) assert.is((await get(p)).code, 200, p)
})

test('a watch streams through: the first line arrives before the upstream sends the second', async () => {
  const lines = await new Promise<string[]>((resolve, reject) => {
    const got: string[] = []
    const req = request({ host: '127.0.0.1', port: ui.port, path: '/api/v1/pods?watch=1' }, (res) => {
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        got.push(...d.split('\n').filter(Boolean))
        if (got.length === 1) releaseSecondLine()
      })
      res.on('end', () => resolve(got))
    })
    req.on('error', reject)
    req.end()
  })
  assert.equal(lines.map((l) => JSON.parse(l).object.metadata.name), ['a', 'b'])
})

test('writes are refused and never reach the API', async () => {
  const before = seen.length
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const r = await get('/api/v1/namespaces/default/pods', { method })
    assert.is(r.code, 405, method)
    assert.is(JSON.parse(r.body).reason, 'MethodNotAllowed')
  }
  assert.is(seen.length, before)
})

test('a foreign Host header is refused (DNS rebinding), loopback names are accepted', async () => {
  const r = await get('/api/v1/nodes', { host: 'evil.example:8001' })
  assert.is(r.code, 403)
  assert.is(JSON.parse(r.body).kind, 'Status')
  assert.is((await get('/api/v1/nodes', { host: `localhost:${ui.port}` })).code, 200)
})

test('the page and its modules are served locally with a same-origin content policy', async () => {
  const page = await get('/')
  assert.is(page.code, 200)
  assert.match(page.body, '<script type="module" src="/ui/app.js">')
  assert.match(String(page.headers['content-security-policy']), "default-src 'self'")
  assert.not.match(page.body, /https?:\/\//, 'no external URL in the page')
  assert.is((await get('/ui/app.js')).headers['content-type'], 'text/javascript; charset=utf-8')
  assert.is((await get('/lib/runtime/ui/model/cluster.js')).code, 200, 'the compiled view model (npm run build)')
  assert.is((await get('/lib/runtime/cluster/control-plane.js')).code, 404, 'only the page\'s modules')
  assert.is((await get('/lib/runtime/ui/model/../../cluster/control-plane.js')).code, 404)
  assert.is((await get('/ui/../server.ts')).code, 404)
})

test('a port in use is one clear error', async () => {
  try {
    await startUiServer({ port: ui.port, client: { server: 'https://127.0.0.1:1', namespace: 'default', path: 'k' }, log: logger('test') })
    assert.unreachable('listening twice on one port')
  } catch (e) {
    assert.match((e as Error).message, `port ${ui.port} on 127.0.0.1 is in use`)
  }
})

test('an unreachable API answers a Status 503', async () => {
  const down = await startUiServer({ port: 0, client: { server: 'https://127.0.0.1:1', token: 't', namespace: 'default', path: 'k' }, log: logger('test') })
  try {
    const r = await new Promise<{ code: number; body: string }>((resolve) => {
      request({ host: '127.0.0.1', port: down.port, path: '/api/v1/nodes' }, (res) => {
        let body = ''
        res.on('data', (d) => (body += d))
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }))
      }).end()
    })
    assert.is(r.code, 503)
    assert.match(JSON.parse(r.body).message, 'not reachable')
  } finally {
    await down.stop()
  }
})

test.run()
