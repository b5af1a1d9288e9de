import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { Server } from 'node:http'
import { encode, LEASE_BUCKET } from '../../events/index.js'
import type { ApiClient } from '../api/client.js'
import { ApiServerHost } from '../api-server/host.js'
import { realClock, type Clock } from '../clock/clock.js'
import { ensureLogStream } from '../event-log/stream.js'
import type { Tail } from '../event-log/tail.js'
import { followLog } from '../projections/follow.js'
import { createGateway } from '../gateway/server.js'
import { liveHistory } from '../gateway/history.js'
import type { Logger } from '../log.js'
import { connectNats, type NatsTarget } from '../nats/connect.js'
import { ClusterStore } from '../projections/cluster-store.js'
import { loadSnapshot, logBounds } from '../projections/snapshot-load.js'
import { DEFAULT_SNAPSHOT_INTERVAL_EVENTS, startSnapshotter, type Snapshotter } from '../projections/snapshotter.js'
import { startScheduler } from '../scheduler/host.js'
import { startNodeLifecycleController } from '../controllers/node-lifecycle-host.js'
import { startReplicaSetController } from '../controllers/replicaset-host.js'
import { startTaintEvictionController } from '../controllers/taint-eviction-host.js'
import type { NodeLifecycleFlags } from '../../actors/controllers/node-lifecycle/controller.js'
import type { TolerationSeconds } from '../../actors/api-server/defaults.js'
import { streamEvents } from './events-feed.js'
import { startInspection } from '../inspect/nats.js'
import { busOf } from '../bus/faulty-connection.js'
import { applyPauses } from '../chaos/mailbox.js'
import { inspectRoutes } from '../gateway/inspect.js'
import type { InspectionMode } from '../../events/inspect.js'
import { changesSince } from './history.js'
import { fetchPodLogs } from './pod-logs.js'
import type { ServingTls } from './tls.js'

export const CLUSTER_INFO_SUBJECT = 'kstate.cluster.info'

export interface ControlPlaneFlags {
  nodeLifecycle?: Partial<NodeLifecycleFlags>
  /** `--default-not-ready-toleration-seconds` / `--default-unreachable-toleration-seconds` (300). */
  tolerationSeconds?: TolerationSeconds
  /** `--inspect`: publishing mode of every actor's inspection stream (default on). */
  inspect?: InspectionMode
  /** `--snapshot-interval-events`: revisions between projection snapshots (0: none). */
  snapshotIntervalEvents?: number
}

export interface ControlPlaneOptions {
  nats: NatsTarget
  apiPort: number
  apiHost?: string
  adminToken: string
  tls: ServingTls
  clock?: Clock
  /** Run the scheduler and controllers in this process (default true; write benchmarks measure the api-server alone). */
  scheduler?: boolean
  /** Kubernetes' controller-manager and api-server flags (node lifecycle, default tolerations). */
  flags?: ControlPlaneFlags
  log: Logger
}

export interface ControlPlane {
  apiUrl: string
  apiPort: number
  store: ClusterStore
  /** Projection snapshots (`--snapshot-interval-events`); `snapshotNow()` forces one. */
  snapshots: Snapshotter
  api: ApiClient
  nc: NatsConnection
  stop(): Promise<void>
}

/** Binds the API server; port 0 picks a free one. Resolves to the port bound. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const a = server.address()
      resolve(typeof a === 'object' && a ? a.port : port)
    })
  })
}

/**
 * The control plane of one cluster: api-server (HTTP gateway + NATS endpoint), its projection of
 * the log, and the scheduler. It writes the log; everything else reads it.
 */
export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  const clock = o.clock ?? realClock
  const log = o.log
  const nc = await connectNats(o.nats, 'kstate-control-plane')
  const jsm = await jetstreamManager(nc)
  await ensureLogStream(jsm)
  await new Kvm(nc).create(LEASE_BUCKET, { history: 1 })
  const js = jetstream(nc)

  const store = new ClusterStore()
  const inspecting = startInspection({ nc, process: 'control-plane', clock, mode: o.flags?.inspect, log: log.child('inspect') })
  const inspection = inspecting.inspection
  const bus = busOf(nc)
  const stopPauses = bus ? applyPauses(bus.table, inspection, log.child('chaos')) : undefined
  let schedulerHost: ReturnType<typeof startScheduler> | undefined
  const api = new ApiServerHost({ js, store, clock, log: log.child('api-server'), tolerationSeconds: o.flags?.tolerationSeconds, inspection })
  let ready = false
  const host = o.apiHost ?? '127.0.0.1'
  let apiUrl = ''
  const server = createGateway({
    api,
    store,
    isReady: () => ready,
    adminToken: o.adminToken,
    podLogs: (pod, opts, sink, signal) => fetchPodLogs(nc, pod, opts, sink, signal),
    events: (opts, write, signal) => streamEvents(js, opts, write, signal),
    history: liveHistory(js, jsm, store, o.flags?.nodeLifecycle ? { nodeLifecycle: { ...o.flags.nodeLifecycle } as Record<string, number> } : undefined),
    changesSince: (resource, afterRev, emit, signal, started) => changesSince(js, resource, afterRev, emit, signal, started),
    tls: o.tls,
    inspect: inspectRoutes({ nc, store, scheduler: () => schedulerHost }),
    log: log.child('gateway'),
  })
  server.keepAliveTimeout = 30_000
  const apiPort = await listen(server, o.apiPort, host)
  apiUrl = `https://${host}:${apiPort}`

  // Start = the newest valid snapshot + the log after it (a bad snapshot: one warning, an older one or full replay).
  const replayStarted = performance.now()
  const bounds = await logBounds(js)
  const snapshot = await loadSnapshot(js, { log: log.child('snapshots'), bounds, into: store })
  const tail: Tail = await followLog(js, store, {
    onMalformed: (rev, subject, e) => log.warn('malformed log frame skipped', { rev, subject, error: e.message }),
  })
  await tail.caughtUp
  const replayMs = Math.round(performance.now() - replayStarted)
  api.ready()
  api.serveNats(nc)
  // /readyz answers 200 once the log is replayed (kube-apiserver's readiness does not wait for controllers).
  ready = true
  log.info('log replayed', { rev: store.rev, snapshot: snapshot?.manifest.rev ?? 0, snapshotReadMs: snapshot?.readMs, snapshotDecodeMs: snapshot?.decodeMs, replayMs })
  const info: Subscription = nc.subscribe(CLUSTER_INFO_SUBJECT, {
    callback: (_e, m) => {
      m.respond(encode({ apiUrl, apiHost: host, apiPort }))
    },
  })
  const as = (user: string): ApiClient => ({ request: (r, c) => api.request(r, { user, ...c }) })
  const controllers: { stop(): unknown }[] = []
  if (o.scheduler !== false) {
    schedulerHost = startScheduler({ api: as('system:kube-scheduler'), pods: store.pods, nodes: store.nodes, clock, log: log.child('scheduler'), inspection })
    controllers.push(schedulerHost)
    controllers.push(
      await startNodeLifecycleController({ api: as('system:node-controller'), nodes: store.nodes, pods: store.pods, nc, clock, log, flags: o.flags?.nodeLifecycle, inspection }),
    )
    controllers.push(startTaintEvictionController({ api: as('system:taint-eviction-controller'), nodes: store.nodes, pods: store.pods, clock, log, inspection }))
    controllers.push(startReplicaSetController({ api: as('system:replicaset-controller'), replicaSets: store.replicasets, pods: store.pods, clock, log, inspection }))
  }
  const snapshots = startSnapshotter({ js, store, intervalEvents: o.flags?.snapshotIntervalEvents ?? DEFAULT_SNAPSHOT_INTERVAL_EVENTS, lastRev: snapshot?.manifest.rev ?? 0, logCreated: bounds.created, log: log.child('snapshots') })
  log.info('control plane ready', { api: apiUrl, rev: store.rev, pods: store.pods.size, nodes: store.nodes.size, snapshot: snapshot?.manifest.rev ?? 0, replayMs })

  return {
    apiUrl,
    apiPort,
    store,
    snapshots,
    api,
    nc,
    async stop() {
      ready = false
      for (const c of controllers.reverse()) await c.stop()
      info.unsubscribe()
      stopPauses?.()
      inspecting.stop()
      await new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
      })
      api.stop()
      await snapshots.stop()
      await tail.stop().catch(() => {})
      await nc.drain().catch(() => {})
    },
  }
}
