import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { randomBytes } from 'node:crypto'
import type { Observable } from 'rxjs'
import { failureStatus } from '../../events/index.js'
import { ApiServerHost } from '../api-server/host.js'
import { realClock } from '../clock/clock.js'
import { listen } from '../cluster/control-plane.js'
import { streamEvents } from '../cluster/events-feed.js'
import { kubeconfigYaml } from '../cluster/kubeconfig.js'
import { writeSecretFile } from '../cluster/data-dir.js'
import { loadOrCreateTls } from '../cluster/tls.js'
import { ErrorCode, KstateError } from '../errors.js'
import { createGateway } from '../gateway/server.js'
import type { Logger } from '../log.js'
import { replayInto } from '../projections/at-revision.js'
import { logBounds } from '../projections/snapshot-load.js'
import type { ObjectChange } from '../projections/types.js'
import { LogHistory, type RevisionPoint } from './history.js'
import { openLog } from './open-log.js'
import { projectionAt } from './projection-at.js'

export interface ReplayServeOptions {
  /** A revision (`1234`) or an RFC 3339 time (the last event at or before it). */
  to: string
  apiPort: number
  apiHost?: string
  /** Where the cluster's store is (without `natsUrl`), and its API certificates. */
  dataDir: string
  natsUrl?: string
  /** Where the replay's kubeconfig is written (mode 0600). */
  kubeconfig: string
  log: Logger
  onProgress?(rev: number, target: number): void
}

export interface RunningReplay {
  apiUrl: string
  point: RevisionPoint
  /** The log's head when the replay started: how far the cluster went after. */
  head: number
  kubeconfig: string
  source: string
  stop(): Promise<void>
}

/** `--to` as a revision of this log: a time resolves to the last event at or before it. */
async function resolveTo(history: LogHistory, to: string, head: number): Promise<RevisionPoint> {
  if (/^\d+$/.test(to)) {
    const rev = Number(to)
    if (rev > head) throw new KstateError(ErrorCode.BadInput, `revision ${rev} is beyond the log's head (${head})`)
    if (rev < 1) throw new KstateError(ErrorCode.BadInput, '--to must be a revision ≥ 1 or an RFC 3339 time')
    return { rev, at: (await history.pointAt(rev))?.at ?? 0 }
  }
  const t = Date.parse(to)
  if (Number.isNaN(t) || !/^\d{4}-\d\d-\d\dT/.test(to)) throw new KstateError(ErrorCode.BadInput, `--to "${to}" is neither a revision nor an RFC 3339 time (e.g. 2026-11-23T16:45:00Z)`)
  const p = await history.revisionAt(t)
  if (!p) throw new KstateError(ErrorCode.BadInput, `the log has no event at or before ${to}`)
  return p
}

/**
 * `kstate replay --to`: the cluster as it was at a revision, served read-only on the Kubernetes
 * REST paths with the cluster's TLS and a fresh bearer token. The api-server machine runs in its
 * `readOnly` state: every write answers 405 MethodNotAllowed. Watches see the objects as they were
 * and nothing after; `/kstate/v1/*` (events, diff, why) stop at the same revision.
 */
export async function serveReplay(o: ReplayServeOptions): Promise<RunningReplay> {
  const opened = await openLog({ dataDir: o.dataDir, natsUrl: o.natsUrl, log: o.log })
  try {
    const { js, jsm } = opened
    const head = (await logBounds(js)).lastSeq
    let rev = 0
    const history = new LogHistory({ js, jsm, head: () => rev || head })
    const point = await resolveTo(history, o.to, head)
    rev = point.rev
    const store = await projectionAt(js, rev, o.onProgress)
    const api = new ApiServerHost({ js, store, clock: realClock, log: o.log.child('api-server'), readOnly: true })
    api.ready()
    const tls = await loadOrCreateTls(o.dataDir)
    const token = randomBytes(24).toString('base64url')
    const server = createGateway({
      api,
      store,
      isReady: () => true,
      adminToken: token,
      podLogs: async () => failureStatus('NotFound', 'a replay has no container logs: they are not part of the event log'),
      events: (opts, write, signal) => streamEvents(js, { ...opts, until: Math.min(opts.until ?? rev, rev), follow: false }, write, signal),
      changesSince: (resource, afterRev, emit, signal, started) => changesUpTo(js, resource, afterRev, rev, emit, signal, started),
      history: { history: new LogHistory({ js, jsm, head: () => rev, current: store }), waitForHead: async (r) => r <= rev, js },
      tls,
      log: o.log.child('gateway'),
    })
    const host = o.apiHost ?? '127.0.0.1'
    const port = await listen(server, o.apiPort, host)
    const apiUrl = `https://${host}:${port}`
    writeSecretFile(o.kubeconfig, kubeconfigYaml(apiUrl, token, tls.ca, 'kstate-replay'))
    return {
      apiUrl,
      point,
      head,
      kubeconfig: o.kubeconfig,
      source: opened.source,
      async stop() {
        await new Promise<void>((r) => {
          server.close(() => r())
          server.closeAllConnections()
        })
        api.stop()
        await opened.close()
      },
    }
  } catch (e) {
    await opened.close()
    throw e
  }
}

/** A watch from an older resourceVersion in a replay: the changes after it up to the replay's revision, then nothing. */
async function changesUpTo(
  js: import('@nats-io/jetstream').JetStreamClient,
  resource: import('../../events/index.js').Resource,
  afterRev: number,
  rev: number,
  emit: (c: ObjectChange<Pod | Node>) => void,
  signal: AbortSignal,
  started?: () => void,
): Promise<void> {
  const store = await projectionAt(js, afterRev)
  started?.()
  const informer = store.resource(resource) as unknown as { changes$: Observable<ObjectChange<Pod | Node>> }
  const sub = informer.changes$.subscribe((c) => {
    if (c.rev > afterRev && c.event) emit(c)
  })
  await replayInto(js, store, rev, { only: resource })
  sub.unsubscribe()
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })))
}
