import { jetstream } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { decode } from '../../events/index.js'
import { natsApiClient } from '../api/nats-client.js'
import { realClock, type Clock } from '../clock/clock.js'
import { followLog } from '../projections/follow.js'
import type { Logger } from '../log.js'
import { connectNats, type NatsTarget } from '../nats/connect.js'
import { nodeClock } from '../bus/skewed-clock.js'
import { startKubelet, type KubeletDeps } from '../node/kubelet-host.js'
import { ClusterStore } from '../projections/cluster-store.js'
import { CLUSTER_INFO_SUBJECT } from './control-plane.js'
import { startInspection } from '../inspect/nats.js'
import { busOf } from '../bus/faulty-connection.js'
import { applyPauses } from '../chaos/mailbox.js'
import type { InspectionMode } from '../../events/inspect.js'

export interface NodeOptions {
  name: string
  nats: NatsTarget
  /** The node's own directory (container logs, pid files). */
  dataDir: string
  capacity?: { cpu?: string; memory?: string; pods?: string }
  flags?: KubeletDeps['flags']
  clock?: Clock
  /** `--inspect`: publishing mode of the kubelet's and pod workers' inspection (default on). */
  inspect?: InspectionMode
  /** Container driver (default: real OS processes); benchmarks pass a fake one. */
  driver?: KubeletDeps['driver']
  log: Logger
}

export interface RunningNode {
  name: string
  nc: NatsConnection
  stop(): Promise<void>
}

/** Asks the control plane where its API answers (for KUBERNETES_SERVICE_HOST/PORT), waiting for it to come up. */
async function clusterInfo(nc: NatsConnection, log: Logger): Promise<{ apiHost: string; apiPort: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const m = await nc.request(CLUSTER_INFO_SUBJECT, new Uint8Array(), { timeout: 2_000 })
      return decode<{ apiHost: string; apiPort: number }>(m.data)
    } catch {
      if (attempt === 0) log.info('waiting for the control plane')
      await new Promise((r) => setTimeout(r, 500))
    }
  }
}

/**
 * One node: a kubelet with its container runtime, on its own NATS connection as the `node` user
 * (which may read the log but not write it). `kstate up` runs N of these in process; `kstate
 * node` runs one as its own OS process; both are this function.
 */
export async function startNode(o: NodeOptions): Promise<RunningNode> {
  const log = o.log
  const nc = await connectNats(o.nats, `kstate-node-${o.name}`)
  const js = jetstream(nc)
  const { apiHost, apiPort } = await clusterInfo(nc, log)
  const store = new ClusterStore()
  // Pods to run, and its own Node to notice when the control plane's view of it (Ready: Unknown
  // after a partition) needs a fresh status post. One consumer: NATS 2.9 takes one filter each.
  const tail = await followLog(js, store, {
    onMalformed: (rev, subject, e) => log.warn('malformed log frame skipped', { rev, subject, error: e.message }),
  })
  await tail.caughtUp
  // The node's clock (skewable by fault injection) stamps its inspection messages too.
  const clock = o.clock ?? nodeClock(realClock, nc, o.name)
  const inspecting = startInspection({ nc, process: `node/${o.name}`, clock, mode: o.inspect, log })
  const bus = busOf(nc)
  const stopPauses = bus ? applyPauses(bus.table, inspecting.inspection, log.child('chaos')) : undefined
  const kubelet = await startKubelet({
    inspection: inspecting.inspection,
    nodeName: o.name,
    api: natsApiClient(nc, `system:node:${o.name}`),
    pods: store.pods,
    nodes: store.nodes,
    nc,
    clock,
    dataDir: o.dataDir,
    apiHost,
    apiPort,
    capacity: o.capacity,
    log,
    flags: o.flags,
    ...(o.driver ? { driver: o.driver } : {}),
  })
  return {
    name: o.name,
    nc,
    async stop() {
      await kubelet.stop()
      stopPauses?.()
      inspecting.stop()
      await tail.stop().catch(() => {})
      await nc.drain().catch(() => {})
    },
  }
}
