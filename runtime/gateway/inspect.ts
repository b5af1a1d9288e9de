/**
 * The inspection endpoints of the gateway, for clients that hold only the kubeconfig (the CLI, the
 * web page): actors of every process (through NATS request/reply), one actor's context and
 * machine, its diagram, a live NDJSON follow of inspection messages, mode switches, and the
 * scheduler's explanation of a pod. Paths and bodies are described in events/inspect.ts.
 */
import type { NatsConnection } from '@nats-io/transport-node'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { lookup, type SchedulerContext } from '../../actors/scheduler/scheduler.js'
import { failureStatus, formatInspectionMode, parseInspectionMode, type InspectionMessage, type InspectionMode, type InspectionSetRequest } from '../../events/index.js'
import { DIAGRAM_CONTENT_TYPES, DIAGRAM_FORMATS, isDiagramFormat, renderDiagram } from '../inspect/diagram/index.js'
import { explain } from '../inspect/explain.js'
import { followInspection, getActor, listActors, setInspectionMode } from '../inspect/client.js'
import { objectStoreKey, type ClusterStore } from '../projections/cluster-store.js'
import type { SchedulerHost } from '../scheduler/host.js'
import { sendJson, sendStatus } from './respond.js'

export interface InspectRouteDeps {
  nc: NatsConnection
  store: ClusterStore
  /** The scheduler of this process, for explanations (undefined when it does not run here). */
  scheduler(): SchedulerHost | undefined
}

/** Handles `/kstate/v1/{actors,inspect,explain}…` (authenticated by the gateway already). */
export type InspectRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

/** A follower that reads slower than actors publish loses messages rather than growing memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024


function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (d: string) => {
      text += d
      if (text.length > 64 * 1024) req.destroy(new Error('body too large'))
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(text || '{}'))
      } catch (e) {
        reject(e)
      }
    })
    req.on('error', reject)
  })
}

export function inspectRoutes(deps: InspectRouteDeps): InspectRoutes {
  const { nc, store } = deps

  /** NDJSON of inspection messages under `filter` until the client leaves. */
  function follow(req: IncomingMessage, res: ServerResponse, filter: string | undefined, exact = false): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' })
    // Headers now: a follower learns the stream is open before the first message.
    res.flushHeaders()
    const stop = followInspection(nc, filter, (m: InspectionMessage) => {
      if (exact && m.id !== filter) return
      if (res.writableLength > MAX_BUFFERED_BYTES) return
      res.write(JSON.stringify(m) + '\n')
    })
    return new Promise((resolve) => {
      const done = () => {
        stop()
        resolve()
      }
      req.on('close', done)
      res.on('close', done)
    })
  }

  async function actor(req: IncomingMessage, res: ServerResponse, id: string, sub: string | undefined, q: URLSearchParams) {
    // `/actors/<id>?watch=1`: that actor only; `/inspect?watch=1&actor=<id>`: it and those under it.
    if (q.get('watch') === '1' || q.get('watch') === 'true') return follow(req, res, id, true)
    const a = await getActor(nc, id)
    if (!a) return sendStatus(res, failureStatus('NotFound', `actor "${id}" not found in any process (kstate inspect lists them)`, { name: id, kind: 'actors' }))
    if (sub === undefined) return sendJson(res, 200, a)
    const format = q.get('format') ?? 'svg'
    if (!isDiagramFormat(format)) return sendStatus(res, failureStatus('BadRequest', `format must be one of ${DIAGRAM_FORMATS.join(', ')}, got "${format}"`))
    if (!a.definition) return sendStatus(res, failureStatus('NotFound', `actor "${id}" is not a state machine: it has no definition to draw`))
    const body = renderDiagram(format, a.definition, a.value, a.delays)
    res.writeHead(200, { 'content-type': DIAGRAM_CONTENT_TYPES[format], 'content-length': Buffer.byteLength(body) })
    res.end(body)
  }

  function explainPod(res: ServerResponse, ns: string, name: string) {
    const pod = store.pods.get(objectStoreKey(ns, name)) as Pod | undefined
    if (!pod) return sendStatus(res, failureStatus('NotFound', `pods "${name}" not found`, { name, kind: 'pods' }))
    const scheduler = deps.scheduler()
    if (!scheduler) return sendStatus(res, failureStatus('ServiceUnavailable', 'the scheduler does not run in the control plane process'))
    const ctx = scheduler.actor.getSnapshot().context as SchedulerContext
    const decision = lookup(ctx.decisions, `${ns}/${name}`)
    const nodes = (store.nodes.list() as { metadata?: { name?: string } }[]).map((n) => n.metadata?.name ?? '').sort()
    const info = { namespace: ns, name, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}), ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}), ...(pod.status?.phase ? { phase: pod.status.phase } : {}) }
    sendJson(res, 200, explain(info, decision, nodes, ctx.config.decisionHistory))
  }

  return async (req, res, url) => {
    const raw = url.pathname.replace(/\/+$/, '')
    const parts = raw.split('/').slice(3).map(decodeURIComponent) // after /kstate/v1
    const q = url.searchParams
    const method = req.method ?? 'GET'
    try {
      if (parts[0] === 'actors') {
        if (method !== 'GET') return sendStatus(res, failureStatus('MethodNotAllowed', `${method} is not supported on actors`))
        if (parts.length === 1) return q.get('watch') === '1' || q.get('watch') === 'true' ? follow(req, res, q.get('actor') ?? undefined) : sendJson(res, 200, await listActors(nc))
        // `<id>` is one encoded segment; raw slashes work too, a last `diagram` segment naming the drawing.
        const rest = parts.slice(1)
        const sub = rest.length > 1 && rest[rest.length - 1] === 'diagram' ? rest.pop() : undefined
        return actor(req, res, rest.join('/'), sub, q)
      }
      if (parts[0] === 'inspect' && parts.length === 1 && method === 'GET') return follow(req, res, q.get('actor') || undefined)
      if (parts[0] === 'inspect' && parts[1] === 'mode' && parts.length === 2 && method === 'POST') {
        const body = (await readJson(req)) as { id?: unknown; prefix?: unknown; mode?: unknown }
        // `mode`: `on`, `off`, `sampled:N`, or an InspectionMode object.
        const mode = parseInspectionMode(typeof body.mode === 'string' ? body.mode : formatInspectionMode((body.mode ?? { kind: '' }) as InspectionMode))
        const request: InspectionSetRequest = { mode, ...(typeof body.id === 'string' ? { id: body.id } : {}), ...(typeof body.prefix === 'string' ? { prefix: body.prefix } : {}) }
        return sendJson(res, 200, { items: await setInspectionMode(nc, request) })
      }
      if (parts[0] === 'explain' && parts[1] === 'namespaces' && parts[3] === 'pods' && parts.length === 5 && method === 'GET') return explainPod(res, parts[2], parts[4])
      return sendStatus(res, failureStatus('NotFound', 'the server could not find the requested resource'))
    } catch (e) {
      if (res.headersSent) return void res.end()
      return sendStatus(res, failureStatus('BadRequest', (e as Error).message))
    }
  }
}
