import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { NodeLifecycleFlags } from '../../actors/controllers/node-lifecycle/controller.js'
import type { TolerationSeconds } from '../../actors/api-server/defaults.js'
import type { ApiClient } from '../api/client.js'
import type { VirtualClock } from '../clock/virtual-clock.js'
import { pushedLeases, startNodeLifecycleController } from '../controllers/node-lifecycle-host.js'
import { startReplicaSetController } from '../controllers/replicaset-host.js'
import { startTaintEvictionController } from '../controllers/taint-eviction-host.js'
import type { Logger } from '../log.js'
import { ClusterStore } from '../projections/cluster-store.js'
import { startScheduler } from '../scheduler/host.js'
import { MemoryApiServer } from './memory-api.js'
import { SimulatedNodes } from './simulated-nodes.js'

/**
 * A whole cluster on the virtual clock in one process: the real scheduler, node lifecycle, taint
 * eviction and ReplicaSet controllers (the same hosts `kstate up` runs), the api-server's pure
 * planning over an in-memory log, and KWOK-style simulated nodes. For scale benchmarks and
 * timeline tests: minutes of cluster time run in milliseconds.
 */
export interface SimClusterOptions {
  clock: VirtualClock
  nodes: number
  zoneSize: number
  nodeLifecycle?: Partial<NodeLifecycleFlags>
  tolerationSeconds?: TolerationSeconds
  log: Logger
}

export interface SimCluster {
  store: ClusterStore
  api: MemoryApiServer
  nodes: SimulatedNodes
  /** Advances the clock by `ms` in steps of `stepMs`, letting every pending promise settle after each. */
  run(ms: number, stepMs?: number, until?: () => boolean): Promise<void>
  stop(): Promise<void>
}

/** Lets every promise chain the controllers started settle (API answers are promises even in memory). */
export function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r))
}

export async function startSimCluster(o: SimClusterOptions): Promise<SimCluster> {
  const { clock, log } = o
  const store = new ClusterStore()
  const api = new MemoryApiServer(store, clock, o.tolerationSeconds)
  const as = (user: string): ApiClient => ({ request: (r, c) => api.request(r, { user, ...c }) })
  const leases = pushedLeases()
  const nodes = new SimulatedNodes({
    api,
    store,
    clock,
    count: o.nodes,
    zoneSize: o.zoneSize,
    onLeases: (renewals) => {
      for (const r of renewals) leases.renew(r.node, r.renewTime)
    },
  })
  const scheduler = startScheduler({ api: as('system:kube-scheduler'), pods: store.pods, nodes: store.nodes, clock, log: log.child('scheduler') })
  const nlc = await startNodeLifecycleController({ api: as('system:node-controller'), nodes: store.nodes, pods: store.pods, leases: leases.source, clock, log, flags: o.nodeLifecycle })
  const te = startTaintEvictionController({ api: as('system:taint-eviction-controller'), nodes: store.nodes, pods: store.pods, clock, log })
  const rs = startReplicaSetController({ api: as('system:replicaset-controller'), replicaSets: store.replicasets, pods: store.pods, clock, log })
  await nodes.start()
  await settle()
  return {
    store,
    api,
    nodes,
    async run(ms, stepMs = 1_000, until) {
      const end = clock.now() + ms
      while (clock.now() < end) {
        clock.advanceTo(Math.min(end, clock.now() + stepMs))
        await settle()
        await settle()
        if (until?.()) return
      }
    },
    async stop() {
      nodes.stop()
      rs.stop()
      te.stop()
      await nlc.stop()
      scheduler.stop()
    },
  }
}

/** A ReplicaSet of `replicas` small pods (100m cpu, 128Mi) labelled `app: NAME`, as the scale runs create them. */
export function simReplicaSet(name: string, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } },
    },
  }
}
