/**
 * `kstate ui`: the web page's local server, on kubectl proxy's model. It listens on loopback only,
 * serves the page's files (hand-written, from this checkout: no CDN, works offline) and forwards
 * `/api`, `/apis`, `/kstate` and `/version` to the cluster's HTTPS API, verifying the API with the
 * cluster CA and adding the kubeconfig's bearer token, so the browser never holds a secret.
 *
 * Two guards kubectl proxy also has in some form: requests must name a loopback Host (a page on
 * another site cannot reach it through DNS rebinding), and only reads (GET, HEAD) are forwarded —
 * the page only reads, and a form on a foreign page cannot POST to the cluster through it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { Agent, request as httpsRequest } from 'node:https'
import { dirname, extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { failureStatus } from '../../events/status.js'
import type { ClientConfig } from '../cluster/kubeconfig.js'
import { ErrorCode, KstateError } from '../errors.js'
import type { Logger } from '../log.js'

/** kubectl proxy's default port. */
export const DEFAULT_UI_PORT = 8001
/** Paths forwarded to the API (kubectl proxy's `--api-prefix=/` plus the kstate group). */
const PROXIED = /^\/(api|apis|kstate|version)(\/|$)/
/** kubectl proxy's default `--accept-hosts`. */
const ACCEPT_HOSTS = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/
/** Compiled modules the page imports from the build (pure view code, no Node APIs at load). */
const LIB_DIRS = ['runtime/ui/model/', 'runtime/cli/print/']
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}
/** Only this origin: the page loads nothing from elsewhere. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"

export interface UiServerOptions {
  /** 0 picks a free port. */
  port: number
  /** Where the API is and how to authenticate: the kubeconfig's server, CA and token. */
  client: ClientConfig
  log: Logger
}

export interface UiServer {
  url: string
  port: number
  server: Server
  stop(): Promise<void>
}

const here = dirname(fileURLToPath(import.meta.url))
/** The checkout root, from `runtime/ui` (tsx) or `dist/runtime/ui` (built). */
const root = [resolve(here, '../..'), resolve(here, '../../..')].find((d) => existsSync(join(d, 'runtime/ui/assets/index.html'))) ?? resolve(here, '../../..')
const ASSETS = join(root, 'runtime/ui/assets')
/** The compiled output: the page's modules are TypeScript built by `npm run build`. */
const BUILD = join(root, 'dist')

function sendStatus(res: ServerResponse, code: Parameters<typeof failureStatus>[0], message: string) {
  const s = failureStatus(code, message)
  const body = JSON.stringify(s)
  res.writeHead(s.code ?? 500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/** A file under `dir`, or undefined when the path leaves it or does not exist. */
function fileUnder(dir: string, rel: string): string | undefined {
  const p = normalize(join(dir, rel))
  if (p !== dir && !p.startsWith(dir + sep)) return undefined
  return existsSync(p) && statSync(p).isFile() ? p : undefined
}

function serveFile(res: ServerResponse, path: string | undefined, head: boolean) {
  if (!path) return sendStatus(res, 'NotFound', 'no such file')
  const body = readFileSync(path)
  res.writeHead(200, {
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'content-length': body.length,
    'content-security-policy': CSP,
    'cache-control': 'no-cache',
  })
  res.end(head ? undefined : body)
}

export function startUiServer(o: UiServerOptions): Promise<UiServer> {
  const api = new URL(o.client.server)
  const tls = api.protocol === 'https:'
  const agent = tls ? new Agent({ keepAlive: true, ca: o.client.ca, rejectUnauthorized: !o.client.insecure }) : undefined

  function proxy(req: IncomingMessage, res: ServerResponse, path: string) {
    const target = new URL(path, api)
    const headers: Record<string, string> = { accept: req.headers.accept ?? 'application/json' }
    if (o.client.token) headers.authorization = `Bearer ${o.client.token}`
    const fn = tls ? httpsRequest : httpRequest
    const up = fn(target, { method: req.method, headers, agent }, (upRes) => {
      const out: Record<string, string | number> = { 'cache-control': 'no-store' }
      for (const h of ['content-type', 'content-length']) if (upRes.headers[h] !== undefined) out[h] = upRes.headers[h] as string
      res.writeHead(upRes.statusCode ?? 502, out)
      // Watches and follows stream: each chunk goes out as it arrives.
      upRes.pipe(res)
    })
    up.on('error', (e) => {
      if (res.headersSent) return void res.destroy()
      sendStatus(res, 'ServiceUnavailable', `the API at ${o.client.server} is not reachable: ${(e as NodeJS.ErrnoException).code ?? e.message}`)
    })
    // The browser left (page closed, watch replaced): end the upstream watch too.
    res.on('close', () => up.destroy())
    up.end()
  }

  const server = createServer((req, res) => {
    const host = req.headers.host ?? ''
    if (!ACCEPT_HOSTS.test(host)) return sendStatus(res, 'Forbidden', `host "${host}" is not accepted: open the page on http://127.0.0.1 or http://localhost`)
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? 'GET'
    const head = method === 'HEAD'
    if (PROXIED.test(url.pathname)) {
      if (method !== 'GET' && !head) return sendStatus(res, 'MethodNotAllowed', `kstate ui forwards reads only (GET); ${method} is refused: change the cluster with kstate or kubectl`)
      return proxy(req, res, url.pathname + url.search)
    }
    if (method !== 'GET' && !head) return sendStatus(res, 'MethodNotAllowed', `${method} is not supported here`)
    if (url.pathname === '/' || url.pathname === '/index.html') return serveFile(res, fileUnder(ASSETS, 'index.html'), head)
    if (url.pathname.startsWith('/ui/')) return serveFile(res, fileUnder(ASSETS, decodeURIComponent(url.pathname.slice(4))), head)
    if (url.pathname.startsWith('/lib/')) {
      const rel = normalize(decodeURIComponent(url.pathname.slice(5)))
      if (!LIB_DIRS.some((d) => rel.startsWith(d)) || !rel.endsWith('.js')) return sendStatus(res, 'NotFound', 'no such module')
      return serveFile(res, fileUnder(BUILD, rel), head)
    }
    sendStatus(res, 'NotFound', 'the server could not find the requested resource')
  })
  return new Promise((resolveStart, reject) => {
    const failed = (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new KstateError(ErrorCode.BadInput, `port ${o.port} on 127.0.0.1 is in use (kubectl proxy's default is 8001 too): pick another with --port, or 0 for a free one`) : e)
    server.once('error', failed)
    server.listen(o.port, '127.0.0.1', () => {
      server.off('error', failed)
      const a = server.address()
      const port = typeof a === 'object' && a ? a.port : o.port
      o.log.debug('ui listening', { port })
      resolveStart({
        url: `http://127.0.0.1:${port}/`,
        port,
        server,
        stop: () =>
          new Promise<void>((r) => {
            server.close(() => r())
            server.closeAllConnections()
            agent?.destroy()
          }),
      })
    })
  })
}
