import type { Status } from 'kubernetes-types/meta/v1.js'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { ClientConfig } from '../cluster/kubeconfig.js'
import { ErrorCode, KstateError } from '../errors.js'

/** An API answer that was not 2xx: carries the server's Status, printed as kubectl does. */
export class StatusError extends Error {
  override readonly name = 'StatusError'
  constructor(readonly status: Status) {
    super(status.message ?? `request failed (${status.code})`)
  }
}

export interface HttpResult {
  code: number
  body: string
}

/** node:http rather than fetch: no undici to load, so `kstate get` stays well under half a second. */
export function call(cfg: ClientConfig, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<IncomingMessage> {
  const url = new URL(cfg.server + path)
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  const fn = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = fn(
      url,
      {
        method,
        ...(url.protocol === 'https:' ? { ca: cfg.ca, rejectUnauthorized: !cfg.insecure } : {}),
        headers: {
          accept: 'application/json',
          ...(cfg.token ? { authorization: `Bearer ${cfg.token}` } : {}),
          ...(payload !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      resolve,
    )
    req.on('error', (e) => reject(new KstateError(ErrorCode.Unreachable, `the API at ${cfg.server} is not reachable (${(e as NodeJS.ErrnoException).code ?? e.message}): is \`kstate up\` running?`)))
    if (payload !== undefined) req.write(payload)
    req.end()
  })
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = ''
    res.setEncoding('utf8')
    res.on('data', (d) => (s += d))
    res.on('end', () => resolve(s))
    res.on('error', reject)
  })
}

/** Sends a request and returns the parsed JSON body; a non-2xx answer throws a StatusError. */
export async function callJson<T = unknown>(cfg: ClientConfig, method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
  const res = await call(cfg, method, path, body, contentType)
  const text = await readAll(res)
  const code = res.statusCode ?? 0
  if (code < 200 || code >= 300) {
    let status: Status
    try {
      status = JSON.parse(text) as Status
    } catch {
      status = { kind: 'Status', status: 'Failure', code, message: text.trim() || `HTTP ${code}` }
    }
    throw new StatusError(status)
  }
  return (text ? JSON.parse(text) : undefined) as T
}
