/**
 * The API's window on the past: reads at a revision on the normal REST paths (Kubernetes'
 * `resourceVersion=R&resourceVersionMatch=Exact`, so kubectl can ask too), and kstate's own
 * `/kstate/v1/revision`, `/kstate/v1/diff`, `/kstate/v1/why` and `/kstate/v1/log` (export).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Status } from 'kubernetes-types/meta/v1.js'
import { ApiError, failureStatus, invalidStatus, isLogEventType } from '../../events/index.js'
import type { EventFilter } from '../cluster/events-feed.js'
import { END_MARKER, encodeFrame, type RecordedFlags } from '../export/format.js'
import type { ClusterStore } from '../projections/cluster-store.js'
import { LogHistory } from '../replay/history.js'
import { rawLog } from '../replay/log-reader.js'
import { ObjectArgError, parseObjectArg } from '../replay/object-ref.js'

/** What the gateway needs of the past; absent, reads at a revision answer 400. */
export interface GatewayHistory {
  history: LogHistory
  /** Waits until the served head reaches `rev` (live: the projection catching up); false on timeout. */
  waitForHead(rev: number, timeoutMs: number): Promise<boolean>
  /** The log itself, for exports. */
  js: import('@nats-io/jetstream').JetStreamClient
  /** The flags of the control plane writing this log, sent with exports (`x-kstate-flags`). */
  flags?: RecordedFlags
}

/** The history of a live control plane: its projection is the head, waited for as it catches up. */
export function liveHistory(js: import('@nats-io/jetstream').JetStreamClient, jsm: import('@nats-io/jetstream').JetStreamManager, store: ClusterStore, flags?: RecordedFlags): GatewayHistory {
  return { history: new LogHistory({ js, jsm, head: () => store.rev, current: store }), waitForHead: (rev, ms) => store.waitFor(rev, ms), js, flags }
}

/** How long a read at a revision not yet applied waits for it (kube-apiserver's watch cache: 3 s). */
const TOO_LARGE_WAIT_MS = 3_000

const fail = (status: Status): never => {
  throw new ApiError(status)
}
const badRequest = (message: string) => fail(failureStatus('BadRequest', message))

/** Kubernetes' `ListOptions` validation failures (422, as `ValidateListOptions` answers). */
const invalidListOptions = (field: string, message: string) =>
  fail(invalidStatus('ListOptions.meta.k8s.io', '', [{ reason: 'FieldValueForbidden', field, message }]))

/** `NewTooLargeResourceVersionError`: 504 Timeout with cause ResourceVersionTooLarge, retry after 1 s. */
export function tooLargeStatus(rev: number, current: number): Status {
  return failureStatus('Timeout', `Timeout: Too large resource version: ${rev}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  })
}


const isWatch = (q: URLSearchParams) => q.get('watch') === 'true' || q.get('watch') === '1'

function revisionParam(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) badRequest(`${name} must be a revision (a non-negative integer), got "${value}"`)
  return n
}

/** Checks that `rev` exists in the log: 504 beyond the head (after waiting for it), 410 before its start. */
async function servable(h: GatewayHistory, rev: number): Promise<void> {
  const head = h.history.head()
  if (rev > head && !(await h.waitForHead(rev, TOO_LARGE_WAIT_MS))) fail(tooLargeStatus(rev, h.history.head()))
  if (rev < (await h.history.firstRev()) - 1) fail(failureStatus('Expired', `The resourceVersion for the provided list is too old: ${rev} (the log starts at ${await h.history.firstRev()})`))
}

/**
 * The store a GET reads from. Without `resourceVersionMatch`, the live one (`resourceVersion`
 * alone means "not older than", which the current state satisfies). With `Exact`, the cluster as
 * it was at that revision, replayed from the log. Kubernetes' rules for the parameters apply.
 */
export async function readView(q: URLSearchParams, live: ClusterStore, h: GatewayHistory | undefined): Promise<ClusterStore> {
  const match = q.get('resourceVersionMatch')
  if (!match) return live
  const rv = q.get('resourceVersion')
  if (isWatch(q)) invalidListOptions('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden for watch')
  if (rv === null || rv === '') invalidListOptions('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided')
  if (match !== 'Exact' && match !== 'NotOlderThan') invalidListOptions('resourceVersionMatch', `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`)
  if (match === 'Exact' && rv === '0') invalidListOptions('resourceVersionMatch', 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
  const rev = revisionParam(rv, 'resourceVersion')!
  if (!h) return badRequest('this API serves no history: resourceVersionMatch is not supported')
  await servable(h, rev)
  return match === 'Exact' ? h.history.storeAt(rev) : live
}

/** `type=PodEvicted,PodBound&object=pod/default/web-1` of `/kstate/v1/events`. */
export function eventFilterOf(q: URLSearchParams): EventFilter {
  const out: { types?: Set<string>; object?: EventFilter['object'] } = {}
  const types = q.get('type')
  if (types) {
    const list = types.split(',').map((t) => t.trim()).filter(Boolean)
    const unknown = list.filter((t) => !isLogEventType(t))
    if (unknown.length > 0) badRequest(`unknown event type ${unknown.map((t) => `"${t}"`).join(', ')} (types are exact, e.g. PodEvicted, NodeTainted)`)
    out.types = new Set(list)
  }
  const object = q.get('object')
  if (object) out.object = objectParam(object)
  return out
}

function objectParam(value: string) {
  try {
    return parseObjectArg(value)
  } catch (e) {
    if (e instanceof ObjectArgError) badRequest(e.message)
    throw e
  }
}

const sendJson = (res: ServerResponse, code: number, body: unknown) => {
  const text = JSON.stringify(body)
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** Resolves when the response can take more, or the client left. */
const drained = (res: ServerResponse) =>
  new Promise<void>((resume) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resume()
    }
    res.once('drain', done)
    res.once('close', done)
  })

const notFound = (message: string) => fail(failureStatus('NotFound', message))

/** Serves `/kstate/v1/{revision,diff,why,log}`; false when `path` is none of them. */
export async function handleHistoryRoute(path: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse, h: GatewayHistory | undefined): Promise<boolean> {
  const routes = ['/kstate/v1/revision', '/kstate/v1/diff', '/kstate/v1/why', '/kstate/v1/log']
  if (!routes.includes(path)) return false
  if ((req.method ?? 'GET') !== 'GET') fail(failureStatus('MethodNotAllowed', `${req.method} is not supported on ${path}`))
  if (!h) badRequest('this API serves no history')
  const history = h!.history
  switch (path) {
    case '/kstate/v1/revision': {
      // ?at=RFC3339 → the last event at or before that time; ?rev=N → the time of revision N.
      const at = q.get('at')
      let point
      if (at !== null) {
        const t = Date.parse(at)
        if (Number.isNaN(t)) badRequest(`at must be an RFC 3339 time, e.g. 2026-11-23T16:45:00Z, got "${at}"`)
        point = await history.revisionAt(t)
        if (!point) notFound(`the log has no event at or before ${at}`)
      } else {
        const rev = revisionParam(q.get('rev'), 'rev') ?? history.head()
        await servable(h!, rev)
        point = (await history.pointAt(rev)) ?? { rev: 0, at: 0 }
        point = { ...point, rev }
      }
      sendJson(res, 200, { rev: point!.rev, at: new Date(point!.at).toISOString(), head: history.head() })
      return true
    }
    case '/kstate/v1/diff': {
      const from = revisionParam(q.get('from'), 'from')
      const to = revisionParam(q.get('to'), 'to') ?? history.head()
      if (from === undefined) badRequest('from is required: the revision to compare from')
      if (from! > to) badRequest(`from (${from}) is after to (${to})`)
      await servable(h!, to)
      await servable(h!, from!)
      sendJson(res, 200, await history.diff(from!, to))
      return true
    }
    case '/kstate/v1/why': {
      const object = q.get('object')
      if (!object) badRequest('object is required, e.g. pod/default/web-1')
      const ref = objectParam(object!)
      const rev = revisionParam(q.get('rev'), 'rev') ?? history.head()
      await servable(h!, rev)
      const answer = await history.why(ref, rev)
      if (!answer) notFound(`${object} has no events in the log up to revision ${rev}`)
      sendJson(res, 200, answer)
      return true
    }
    case '/kstate/v1/log': {
      const since = revisionParam(q.get('since'), 'since') ?? 1
      const until = Math.min(revisionParam(q.get('until'), 'until') ?? history.head(), history.head())
      const ac = new AbortController()
      res.on('close', () => ac.abort())
      res.writeHead(200, {
        'content-type': 'application/vnd.kstate.log-frames',
        'x-kstate-first-revision': String(Math.max(since, await history.firstRev())),
        'x-kstate-until-revision': String(until),
        ...(h!.flags ? { 'x-kstate-flags': JSON.stringify(h!.flags) } : {}),
        'transfer-encoding': 'chunked',
      })
      for await (const r of rawLog(h!.js, { fromRev: since, toRev: until })) {
        if (ac.signal.aborted) break
        if (!res.write(encodeFrame(r.rev, r.subject, r.data))) await drained(res)
      }
      // The end marker tells a complete answer from a connection cut short.
      if (!ac.signal.aborted) res.end(END_MARKER)
      return true
    }
  }
  return false
}
