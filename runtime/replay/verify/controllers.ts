import type { NodeLifecycleFlags } from '../../../actors/controllers/node-lifecycle/controller.js'
import type { Clock } from '../../clock/clock.js'
import { NODE_CONTROLLER_USER, startNodeLifecycleController, type LeaseSource } from '../../controllers/node-lifecycle-host.js'
import { REPLICASET_CONTROLLER_USER, startReplicaSetController } from '../../controllers/replicaset-host.js'
import { startTaintEvictionController, TAINT_EVICTION_USER } from '../../controllers/taint-eviction-host.js'
import type { Logger } from '../../log.js'
import type { ClusterStore } from '../../projections/cluster-store.js'
import { SCHEDULER_USER, startScheduler } from '../../scheduler/host.js'
import type { DecisionCapture } from './capture.js'

/**
 * The controllers under verification, started exactly as the control plane starts them (the same
 * hosts, the same users), on the replay's projection, clock and captured api-server.
 */
export async function startVerifiedControllers(o: {
  store: ClusterStore
  capture: DecisionCapture
  leases: LeaseSource
  clock: Clock
  flags: NodeLifecycleFlags
  log: Logger
}): Promise<{ stop(): Promise<void> }> {
  const { store, capture, clock, log } = o
  const scheduler = startScheduler({ api: capture.client('scheduler', SCHEDULER_USER), pods: store.pods, nodes: store.nodes, clock, log: log.child('scheduler') })
  const nlc = await startNodeLifecycleController({
    api: capture.client('node-controller', NODE_CONTROLLER_USER),
    nodes: store.nodes,
    pods: store.pods,
    leases: o.leases,
    clock,
    log,
    flags: o.flags,
  })
  const te = startTaintEvictionController({ api: capture.client('taint-eviction-controller', TAINT_EVICTION_USER), nodes: store.nodes, pods: store.pods, clock, log })
  const rs = startReplicaSetController({ api: capture.client('replicaset-controller', REPLICASET_CONTROLLER_USER), replicaSets: store.replicasets, pods: store.pods, clock, log })
  return {
    async stop() {
      rs.stop()
      te.stop()
      await nlc.stop()
      scheduler.stop()
    },
  }
}
