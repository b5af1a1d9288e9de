import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Status } from 'kubernetes-types/meta/v1.js'
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import { parse as parseYaml } from 'yaml'
import { failureStatus, isApiError, type ApiRequest, type ApiResponse, type Resource } from '../../events/index.js'
import type { ApiClient } from '../api/client.js'
import type { Logger } from '../log.js'
import { objectStoreKey, type ClusterStore } from '../projections/cluster-store.js'
import type { ObjectChange } from '../projections/types.js'
import { HttpError } from './http-error.js'
import type { InspectRoutes } from './inspect.js'
import { sendJson, sendStatus } from './respond.js'
import { applyPatch } from './patch.js'
import { fieldOf, matches, parseSelector, SelectorError } from './selectors.js'
import { apiGroupList, apiResourceList, apiVersions, appsGroup, appsResourceList, versionInfo } from './discovery.js'
import { nodeTable, podTable, replicaSetTable, wantsTable } from './table.js'
import { openapiV3AppsV1, openapiV3CoreV1, openapiV3Root } from './openapi.js'
import type { EventFilter } from '../cluster/events-feed.js'
import { eventFilterOf, handleHistoryRoute, readView, type GatewayHistory } from './history.js'
import { WatchCache } from '../projections/watch-cache.js'
import { CLUSTER_VIEW_PATH, sendClusterSummary } from '../ui/cluster-summary.js'

/** Kubernetes' default request body limit (3 MiB): larger bodies answer 413. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024

export interface LogSink {
  write(chunk: string): void
}

export interface GatewayDeps {
  api: ApiClient
  store: ClusterStore
  isReady(): boolean
  adminToken: string
  /** Fetches a pod's container log from its node; follow streams until the container ends or `signal` aborts. */
  podLogs(pod: Pod, opts: { container?: string; follow: boolean; tailLines?: number }, sink: LogSink, signal: AbortSignal): Promise<Status | undefined>
  /**
   * Changes of a resource after `afterRev` replayed from the log, then live (watches from an older
   * resourceVersion). Calls `started` once the revision is known to be resumable; rejects with an
   * ApiError (410 Expired) when the log no longer holds what follows `afterRev`.
   */
  changesSince(resource: Resource, afterRev: number, emit: (c: ObjectChange<Pod | Node>) => void, signal: AbortSignal, started?: () => void): Promise<void>
  /** Streams the event log as rows from `since`, filtered by type and object; with follow, until `signal` aborts. */
  events(opts: { since: number; until?: number; follow: boolean } & EventFilter, write: (row: object) => void, signal: AbortSignal): Promise<void>
  /** The past: reads at a revision (`resourceVersionMatch=Exact`), `/kstate/v1/{revision,diff,why,log}`. */
  history?: GatewayHistory
  /** Serving certificate and key (PEM): the API is HTTPS only, as kube-apiserver. */
  tls: { cert: string; key: string }
  /** `/kstate/v1/{actors,inspect,explain}`: statechart inspection and scheduling explanations (gateway/inspect.ts). */
  inspect?: InspectRoutes
  log: Logger
}

/** The autoscaling/v1 Scale view of a ReplicaSet (`…/replicasets/NAME/scale`). */
function scaleOf(rs: ReplicaSet) {
  const sel = rs.spec?.selector?.matchLabels ?? {}
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: rs.metadata?.name, namespace: rs.metadata?.namespace, uid: rs.metadata?.uid, resourceVersion: rs.metadata?.resourceVersion, creationTimestamp: rs.metadata?.creationTimestamp },
    spec: { replicas: rs.spec?.replicas ?? 1 },
    status: { replicas: rs.status?.replicas ?? 0, selector: Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') },
  }
}

const send = sendJson

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > MAX_BODY_BYTES) return reject(new HttpError(failureStatus('RequestEntityTooLarge', `the request body of ${declared} bytes exceeds the limit of ${MAX_BODY_BYTES} bytes`)))
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(failureStatus('RequestEntityTooLarge', `the request body exceeds the limit of ${MAX_BODY_BYTES} bytes`)))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!text.trim()) throw new HttpError(failureStatus('BadRequest', 'the request body is empty'))
  try {
    return /yaml/.test(contentType ?? '') ? parseYaml(text) : JSON.parse(text)
  } catch (e) {
    throw new HttpError(failureStatus('BadRequest', `the request body is not valid ${/yaml/.test(contentType ?? '') ? 'YAML' : 'JSON'}: ${(e as Error).message}`))
  }
}

function authorized(req: IncomingMessage, token: string): boolean {
  const h = req.headers.authorization ?? ''
  const m = /^Bearer\s+(.+)$/i.exec(h)
  if (!m) return false
  const a = Buffer.from(m[1].trim())
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Parsed REST path: `/api/v1/namespaces/{ns}/{resource}/{name}/{sub}` or `/api/v1/{resource}/{name}/{sub}`. */
interface Route {
  resource: Resource
  namespace?: string
  name?: string
  sub?: string
}

/** Which resources each API group version serves. */
const GROUP_RESOURCES: Record<string, Resource[]> = { v1: ['pods', 'nodes'], 'apps/v1': ['replicasets'] }

function route(parts: string[], groupVersion: string): Route | undefined {
  // parts after /api/v1 or /apis/apps/v1
  let ns: string | undefined
  let rest = parts
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    ns = rest[1]
    rest = rest.slice(2)
  }
  const [resource, name, sub, ...extra] = rest
  if (extra.length > 0) return undefined
  if (!(GROUP_RESOURCES[groupVersion] ?? []).includes(resource as Resource)) return undefined
  if (resource === 'nodes' && ns !== undefined) return undefined
  return { resource: resource as Resource, namespace: ns, name, sub }
}

const LIST_KIND: Record<Resource, string> = { pods: 'PodList', nodes: 'NodeList', replicasets: 'ReplicaSetList' }
const API_VERSION: Record<Resource, string> = { pods: 'v1', nodes: 'v1', replicasets: 'apps/v1' }
/** Namespaced resources are created in a namespace; only Nodes are cluster-scoped here. */
const namespaced = (r: Resource) => r !== 'nodes'
type Obj = Pod | Node | ReplicaSet

export function createGateway(deps: GatewayDeps): Server {
  const { store, api } = deps

  const answer = (res: ServerResponse, r: ApiResponse) => (r.ok ? send(res, r.code, r.object) : sendStatus(res, r.status))

  function table(req: IncomingMessage, q: URLSearchParams, resource: Resource, items: (Pod | Node)[], rv = String(store.rev)) {
    if (!wantsTable(req.headers.accept)) return undefined
    const inc = q.get('includeObject')
    if (resource === 'pods') return podTable(items as Pod[], Date.now(), rv, inc)
    if (resource === 'nodes') return nodeTable(items as Node[], Date.now(), rv, inc)
    return replicaSetTable(items as unknown as ReplicaSet[], Date.now(), rv, inc)
  }

  function selector(r: Route, q: URLSearchParams) {
    const labels = parseSelector(q.get('labelSelector'))
    const fields = parseSelector(q.get('fieldSelector'))
    return (o: Pod | Node) =>
      (r.namespace === undefined || o.metadata?.namespace === r.namespace) &&
      (r.name === undefined || o.metadata?.name === r.name) &&
      matches(labels, (k) => o.metadata?.labels?.[k]) &&
      matches(fields, (k) => fieldOf(o as never, k))
  }

  /**
   * `?watch=true`: one JSON watch event per line. Without a resourceVersion (or "0") the current
   * objects come first as ADDED; from a resourceVersion, exactly the changes after it (replayed
   * from the log when older than the projection), then live changes until the client leaves or
   * `timeoutSeconds` passes.
   */
  // Created at the first watch (a start's replay builds no change records while nobody watches).
  const watchCaches = new Map<Resource, WatchCache<Pod | Node>>()
  const watchCache = (resource: Resource) => {
    let c = watchCaches.get(resource)
    if (!c) watchCaches.set(resource, (c = new WatchCache(store.resource(resource).changes$ as import('rxjs').Observable<ObjectChange<Pod | Node>>, store.rev)))
    return c
  }

  async function watch(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams) {
    const match = selector(r, q)
    const rvParam = q.get('resourceVersion')
    const from = rvParam && rvParam !== '0' ? Number(rvParam) : undefined
    if (from !== undefined && (!Number.isInteger(from) || from < 0)) throw new HttpError(failureStatus('BadRequest', `invalid resourceVersion "${rvParam}"`))
    const asTable = wantsTable(req.headers.accept)
    const ac = new AbortController()
    res.on('close', () => ac.abort())
    const timeout = Number(q.get('timeoutSeconds') ?? 0)
    const timer = timeout > 0 ? setTimeout(() => ac.abort(), timeout * 1000) : undefined
    // Headers go out once the watch can start: a resourceVersion the log no longer holds is an HTTP 410.
    const head = () => res.headersSent || res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })
    const write = (type: string, obj: Pod | Node) => {
      const object = asTable ? (table(req, q, r.resource, [obj]) as object) : obj
      head()
      res.write(JSON.stringify({ type, object }) + '\n')
    }
    const onChange = (c: ObjectChange<Pod | Node>) => {
      const before = c.previous !== undefined && match(c.previous)
      if (c.type === 'DELETED') return void (before && write('DELETED', c.object))
      const now = match(c.object)
      // An object entering or leaving a selector's scope is ADDED or DELETED for this watcher.
      if (now) write(before ? 'MODIFIED' : 'ADDED', c.object)
      else if (before) write('DELETED', c.object)
    }
    const informer = store.resource(r.resource) as unknown as { changes$: import('rxjs').Observable<ObjectChange<Pod | Node>> }
    // A recent resourceVersion is answered from the watch cache; the backlog and the live
    // subscription are joined synchronously, so no change falls between them.
    const backlog = from !== undefined && from < store.rev ? watchCache(r.resource).since(from) : []
    if (backlog !== undefined) {
      head()
      for (const c of backlog) onChange(c)
      const sub = informer.changes$.subscribe((c) => {
        if (c.event === undefined) {
          if (from === undefined && match(c.object)) write('ADDED', c.object)
          return
        }
        if (from === undefined || c.rev > from) onChange(c)
      })
      await new Promise<void>((resolve) => (ac.signal.aborted ? resolve() : ac.signal.addEventListener('abort', () => resolve(), { once: true })))
      sub.unsubscribe()
    } else {
      try {
        await deps.changesSince(r.resource, from!, onChange, ac.signal, head) // no backlog: `from` is an older revision
      } catch (e) {
        if (!isApiError(e)) throw e
        if (timer) clearTimeout(timer)
        if (!res.headersSent) throw new HttpError(e.status)
        // Kubernetes' way once the stream began: a watch event of type ERROR carrying the Status.
        res.write(JSON.stringify({ type: 'ERROR', object: e.status }) + '\n')
      }
    }
    if (timer) clearTimeout(timer)
    head()
    res.end()
  }

  /** `view`: the store read from, the live one or the cluster at a past revision. */
  function list(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams, view: ClusterStore = store) {
    if (q.get('watch') === 'true' || q.get('watch') === '1') return watch(req, res, r, q)
    const labels = parseSelector(q.get('labelSelector'))
    const fields = parseSelector(q.get('fieldSelector'))
    const items = view.resource(r.resource).list() as (Pod | Node)[]
    const selected = items
      .filter((o) => r.namespace === undefined || o.metadata?.namespace === r.namespace)
      .filter((o) => matches(labels, (k) => o.metadata?.labels?.[k]))
      .filter((o) => matches(fields, (k) => fieldOf(o as never, k)))
      .sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`))
    const t = table(req, q, r.resource, selected, String(view.rev))
    if (t) return send(res, 200, t)
    send(res, 200, { kind: LIST_KIND[r.resource], apiVersion: API_VERSION[r.resource], metadata: { resourceVersion: String(view.rev) }, items: selected })
  }

  function getOne(r: Route, view: ClusterStore = store): Pod | Node {
    const obj = view.resource(r.resource).get(objectStoreKey(namespaced(r.resource) ? (r.namespace ?? 'default') : undefined, r.name!)) as Pod | Node | undefined
    if (!obj) throw new HttpError(failureStatus('NotFound', `${r.resource} "${r.name}" not found`, { name: r.name, kind: r.resource }))
    return obj
  }

  async function handleResource(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams, user: string) {
    const method = req.method ?? 'GET'
    const ns = r.resource === 'nodes' ? undefined : (r.namespace ?? 'default')
    const call = async (request: ApiRequest) => answer(res, await api.request(request, { user }))
    const view = method === 'GET' ? await readView(q, store, deps.history) : store
    if (!r.name) {
      if (method === 'GET') return list(req, res, r, q, view)
      if (method === 'POST') {
        if (namespaced(r.resource) && r.namespace === undefined) throw new HttpError(failureStatus('MethodNotAllowed', `${r.resource} are created in a namespace: POST …/namespaces/{namespace}/${r.resource}`))
        return call({ verb: 'create', resource: r.resource, namespace: ns, object: parseBody(await readBody(req), req.headers['content-type']) })
      }
      throw new HttpError(failureStatus('MethodNotAllowed', `${method} is not supported on ${r.resource} lists`))
    }
    if (namespaced(r.resource) && r.namespace === undefined) throw new HttpError(failureStatus('NotFound', 'the server could not find the requested resource'))
    if (!r.sub) {
      switch (method) {
        case 'GET': {
          const obj = getOne(r, view)
          return send(res, 200, table(req, q, r.resource, [obj], String(view.rev)) ?? obj)
        }
        case 'PUT':
          return call({ verb: 'update', resource: r.resource, namespace: ns, name: r.name, object: parseBody(await readBody(req), req.headers['content-type']) })
        case 'PATCH': {
          const patch = parseBody(await readBody(req), req.headers['content-type'])
          const merged = applyPatch(r.resource, getOne(r), patch, req.headers['content-type']) as Pod
          return call({ verb: 'update', resource: r.resource, namespace: ns, name: r.name, object: merged })
        }
        case 'DELETE': {
          const text = req.headers['content-length'] && req.headers['content-length'] !== '0' ? await readBody(req) : ''
          const opts = text.trim() ? (parseBody(text, req.headers['content-type']) as { gracePeriodSeconds?: number }) : {}
          const qGrace = q.get('gracePeriodSeconds')
          const grace = qGrace !== null ? Number(qGrace) : opts.gracePeriodSeconds
          if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) throw new HttpError(failureStatus('BadRequest', 'gracePeriodSeconds must be a non-negative integer'))
          return call({ verb: 'delete', resource: r.resource, namespace: ns, name: r.name, gracePeriodSeconds: grace })
        }
        default:
          throw new HttpError(failureStatus('MethodNotAllowed', `${method} is not supported on ${r.resource}`))
      }
    }
    if (r.sub === 'status') {
      if (method === 'GET') return send(res, 200, getOne(r, view))
      if (method !== 'PUT' && method !== 'PATCH') throw new HttpError(failureStatus('MethodNotAllowed', `${method} is not supported on ${r.resource}/status`))
      const body = parseBody(await readBody(req), req.headers['content-type']) as { status?: unknown; metadata?: { resourceVersion?: string } }
      const status = method === 'PATCH' ? (applyPatch(r.resource, getOne(r), body, req.headers['content-type']) as { status?: unknown }).status : body.status
      return call({ verb: 'updateStatus', resource: r.resource, namespace: ns, name: r.name, status, resourceVersion: body.metadata?.resourceVersion })
    }
    if (r.sub === 'scale' && r.resource === 'replicasets') {
      const rs = getOne(r) as unknown as ReplicaSet
      if (method === 'GET') return send(res, 200, scaleOf(rs))
      if (method !== 'PUT' && method !== 'PATCH') throw new HttpError(failureStatus('MethodNotAllowed', `${method} is not supported on replicasets/scale`))
      const body = parseBody(await readBody(req), req.headers['content-type']) as { spec?: { replicas?: number } }
      const replicas = body.spec?.replicas
      if (typeof replicas !== 'number') throw new HttpError(failureStatus('BadRequest', 'spec.replicas must be a number'))
      const r2 = await api.request({ verb: 'scale', resource: 'replicasets', namespace: ns!, name: r.name, replicas }, { user })
      return r2.ok ? send(res, 200, scaleOf(r2.object as ReplicaSet)) : sendStatus(res, r2.status)
    }
    if (r.sub === 'binding' && r.resource === 'pods') {
      if (method !== 'POST') throw new HttpError(failureStatus('MethodNotAllowed', 'bindings are created with POST'))
      const body = parseBody(await readBody(req), req.headers['content-type']) as { target?: { name?: string }; metadata?: { uid?: string } }
      return call({ verb: 'bind', resource: 'pods', namespace: ns!, name: r.name, nodeName: body.target?.name ?? '', uid: body.metadata?.uid })
    }
    if (r.sub === 'log' && r.resource === 'pods' && method === 'GET') {
      const pod = getOne(r) as Pod
      const tail = q.get('tailLines')
      const ac = new AbortController()
      res.on('close', () => ac.abort())
      let started = false
      const sink: LogSink = {
        write(chunk) {
          if (!started) {
            res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'transfer-encoding': 'chunked' })
            started = true
          }
          res.write(chunk)
        },
      }
      const err = await deps.podLogs(pod, { container: q.get('container') ?? undefined, follow: q.get('follow') === 'true', tailLines: tail ? Number(tail) : undefined }, sink, ac.signal)
      if (err && !started) return sendStatus(res, err)
      if (!started) res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      return void res.end()
    }
    throw new HttpError(failureStatus('NotFound', 'the server could not find the requested resource'))
  }

  async function handleEvents(req: IncomingMessage, res: ServerResponse, q: URLSearchParams) {
    const since = Number(q.get('since') ?? 1)
    const until = q.get('until') ? Number(q.get('until')) : undefined
    if (!Number.isInteger(since) || since < 1 || (until !== undefined && !Number.isInteger(until))) throw new HttpError(failureStatus('BadRequest', 'since and until must be revisions (positive integers)'))
    const filter = eventFilterOf(q)
    const ac = new AbortController()
    res.on('close', () => ac.abort())
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' })
    await deps.events({ since, until, follow: q.get('follow') === 'true', ...filter }, (row) => res.write(JSON.stringify(row) + '\n'), ac.signal)
    res.end()
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    if (path === '/readyz' || path === '/livez' || path === '/healthz') {
      const ok = path === '/livez' || deps.isReady()
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' })
      return void res.end(ok ? 'ok' : 'not ready: replaying the event log')
    }
    if (path === '/version') return send(res, 200, versionInfo())
    if (!authorized(req, deps.adminToken)) {
      return sendStatus(res, failureStatus('Unauthorized', 'Unauthorized'))
    }
    const user = 'admin'
    if (path === '/api') return send(res, 200, apiVersions(req.headers.host ?? ''))
    if (path === '/apis') return send(res, 200, apiGroupList())
    if (path === '/apis/apps') return send(res, 200, appsGroup())
    if (path === '/apis/apps/v1') return send(res, 200, appsResourceList())
    if (path === '/openapi/v3/apis/apps/v1') return send(res, 200, openapiV3AppsV1())
    if (path === '/api/v1') return send(res, 200, apiResourceList())
    if (path === '/openapi/v3') return send(res, 200, openapiV3Root())
    if (path === '/openapi/v3/api/v1') return send(res, 200, openapiV3CoreV1())
    if (path === '/kstate/v1/events') return handleEvents(req, res, url.searchParams)
    if (path === CLUSTER_VIEW_PATH) return sendClusterSummary(res, await readView(url.searchParams, store, deps.history))
    if (deps.inspect && /^\/kstate\/v1\/(actors|inspect|explain)(\/|$)/.test(path)) return deps.inspect(req, res, url)
    if (await handleHistoryRoute(path, url.searchParams, req, res, deps.history)) return
    const parts = path.split('/').slice(1).map(decodeURIComponent)
    if (parts[0] === 'api' && parts[1] === 'v1') {
      const r = route(parts.slice(2), 'v1')
      if (r) return handleResource(req, res, r, url.searchParams, user)
    }
    if (parts[0] === 'apis' && parts.length >= 4) {
      const r = route(parts.slice(3), `${parts[1]}/${parts[2]}`)
      if (r) return handleResource(req, res, r, url.searchParams, user)
    }
    throw new HttpError(failureStatus('NotFound', 'the server could not find the requested resource'))
  }

  const server = createServer({ cert: deps.tls.cert, key: deps.tls.key }, (req, res) => {
    handle(req, res).catch((e) => {
      if (res.headersSent) return void res.end()
      if (e instanceof HttpError) return sendStatus(res, e.status)
      if (e instanceof SelectorError) return sendStatus(res, failureStatus('BadRequest', e.message))
      if (isApiError(e)) return sendStatus(res, e.status)
      deps.log.error('request failed', { method: req.method, url: req.url, error: (e as Error).message })
      sendStatus(res, failureStatus('InternalError', (e as Error).message))
    })
  })
  server.on('close', () => {
    for (const c of watchCaches.values()) c.stop()
  })
  return server
}
