import type { ObjectMeta } from 'kubernetes-types/meta/v1.js'
import type { Observable } from 'rxjs'
import type { Resource } from '../../events/index.js'
import type { ApiClient } from '../api/client.js'
import { VirtualClock } from '../clock/virtual-clock.js'
import { pushedLeases, startNodeLifecycleController } from '../controllers/node-lifecycle-host.js'
import { startReplicaSetController } from '../controllers/replicaset-host.js'
import { startTaintEvictionController } from '../controllers/taint-eviction-host.js'
import { InvariantSuite, LogHash, ObjectSetHash, ReplicaSetTally, type Violation } from '../invariants/index.js'
import type { Logger } from '../log.js'
import { ClusterStore, objectStoreKey } from '../projections/cluster-store.js'
import type { ObjectChange } from '../projections/types.js'
import { projectionHash } from '../projections/hash.js'
import { startScheduler } from '../scheduler/host.js'
import { MemoryApiServer } from '../sim/memory-api.js'
import { settle } from '../sim/sim-cluster.js'
import { API_SERVER, apiLink } from './api-link.js'
import { faultSchedule, KUBELETS, WATCHES, type ScheduledFault } from './faults.js'
import { FaultInjector } from './injector.js'
import { LeaseBucket } from './lease-bucket.js'
import { SimKubelets } from './kubelets.js'
import { SimNetwork } from './network.js'
import { ProcessView } from './process-view.js'
import { Rng } from './random.js'
import { Workload } from './workload.js'

export interface SimulationOptions {
  seed: number
  nodes: number
  /** Simulated time, ms. */
  durationMs: number
  /** Mean faults per simulated hour. */
  faultsPerHour: number
  /** ReplicaSet pods at the start. */
  pods: number
  /** Nodes per zone. */
  zoneSize: number
  /** Every ReplicaSet must have converged this long after the last fault or scale; faults end this long before the run does. */
  convergeWithinMs: number
  /** Faults begin after this (the cluster comes up first). */
  warmupMs: number
  /** Users' scale operations per simulated hour. */
  scalesPerHour: number
  /** `--default-unreachable-toleration-seconds` and `--default-not-ready-toleration-seconds`. */
  tolerationSeconds: number
  /** Timers due within one step fire together, then every promise they started settles. */
  stepMs: number
  /** How often ReplicaSet convergence is checked, simulated ms. */
  checkEveryMs: number
  /** Hash every process's projections and compare them at equal revisions. */
  compareProjections: boolean
}

export const SIMULATION_DEFAULTS: Omit<SimulationOptions, 'seed'> = {
  nodes: 10,
  durationMs: 2 * 3_600_000,
  faultsPerHour: 30,
  pods: 100,
  zoneSize: 100,
  convergeWithinMs: 5 * 60_000,
  warmupMs: 60_000,
  scalesPerHour: 6,
  tolerationSeconds: 300,
  stepMs: 100,
  checkEveryMs: 10_000,
  compareProjections: true,
}

export interface SimulationProgress {
  simulatedMs: number
  wallMs: number
  records: number
  activeFaults: number
  violations: number
}

export interface SimulationResult {
  options: SimulationOptions
  /** Content hash of the whole log (`LogHash`). */
  logHash: string
  /** Content hash of the api-server's projection at the end (its pods, nodes and replicasets object-set hashes). */
  projectionHash: string
  records: number
  /** Log records by event type (`PodEvicted`: 12, …). */
  eventCounts: Record<string, number>
  violations: Violation[]
  faults: ScheduledFault[]
  acks: number
  /** Longest time, after a disturbance, until every ReplicaSet had converged. */
  worstConvergenceMs: number
  network: { sent: number; dropped: number; duplicated: number }
  simulatedMs: number
  /** Wall time of the run, cluster start included. */
  wallMs: number
  /** CPU time of the process during the run (all threads: GC included). */
  cpuMs: number
  /** Wall time of stopping every actor afterwards (not part of the run). */
  teardownMs: number
}

/** The network endpoint kubelets renew their Leases at (NATS KV in a real cluster). */
const LEASE_BUCKET_ENDPOINT = 'lease-bucket'

/** A fixed start instant: nothing in a run may depend on when it ran. */
export const SIMULATION_EPOCH = Date.UTC(2026, 0, 1, 0, 0, 0)

/**
 * `kstate simulate`: the whole control plane in one process on the virtual clock — api-server
 * (pure planning over an in-memory log), scheduler, node lifecycle, taint eviction and ReplicaSet
 * controllers (the hosts `kstate up` runs), simulated kubelets — talking over a seeded in-process
 * network, each with its own view of the log, under a seeded schedule of faults. Every invariant is
 * checked as the run goes. Same options and code → the same log, byte for byte.
 */
export interface SimulationHooks {
  onProgress?(p: SimulationProgress): void
  onViolation?(v: Violation): void
  /** These faults instead of the seeded schedule (tests that need one fault at one time). */
  faults?: ScheduledFault[]
  /** The log at the end of the run, for tests that look at what happened. */
  onLog?(log: readonly { subject: string; event: import('../../events/index.js').LogEvent }[]): void
}

export async function runSimulation(o: SimulationOptions, log: Logger, hooks: SimulationHooks = {}): Promise<SimulationResult> {
  const wallStart = performance.now()
  const cpuStart = process.cpuUsage()
  const clock = new VirtualClock(SIMULATION_EPOCH)
  const start = clock.now()
  const end = start + o.durationMs
  const store = new ClusterStore()
  const api = new MemoryApiServer(store, clock, { notReadySeconds: o.tolerationSeconds, unreachableSeconds: o.tolerationSeconds })
  const suite = new InvariantSuite({ convergeWithinMs: o.convergeWithinMs, start, onViolation: hooks.onViolation })
  const logHash = new LogHash()
  const subs = [
    store.events$.subscribe((rec) => {
      logHash.add(rec)
      suite.record(rec)
    }),
  ]
  const resources: Resource[] = ['pods', 'nodes', 'replicasets']
  const stateHashes: ObjectSetHash[] = []
  if (o.compareProjections) {
    for (const r of resources) {
      const h = new ObjectSetHash()
      stateHashes.push(h)
      const changes = store.resource(r).changes$ as Observable<ObjectChange<{ metadata?: ObjectMeta }>>
      subs.push(
        changes.subscribe((c) => {
          const m = c.object.metadata
          h.change(objectStoreKey(r === 'nodes' ? undefined : (m?.namespace ?? 'default'), m?.name ?? ''), c.type === 'ADDED' ? undefined : c.previous, c.type === 'DELETED' ? undefined : c.object)
          suite.projection({ process: API_SERVER, resource: r, rev: c.rev, hash: h.sum })
        }),
      )
    }
  }

  // ---- the network, and every process's view of the log
  const net = new SimNetwork(clock, Rng.stream(o.seed, 'network'))
  const link = (endpoint: string, user: string): ApiClient => apiLink({ net, clock, api, endpoint, user, onAck: (a) => suite.ack(a) })
  const views = new Map<string, ProcessView>()
  for (const [p, watched] of Object.entries(WATCHES)) {
    views.set(
      p,
      new ProcessView(p, store, clock, {
        change: (process, resource, c) => suite.change(process, resource, c, clock.now()),
        projection: o.compareProjections ? (process, resource, rev, hash) => suite.projection({ process, resource, rev, hash }) : undefined,
      }, o.compareProjections, watched),
    )
  }
  const view = (p: string) => views.get(p)!

  // ---- the control plane
  const leases = pushedLeases()
  const scheduler = startScheduler({ api: link('scheduler', 'system:kube-scheduler'), pods: view('scheduler').pods, nodes: view('scheduler').nodes, clock, log: log.child('scheduler') })
  const nlc = await startNodeLifecycleController({
    api: link('node-controller', 'system:node-controller'),
    nodes: view('node-controller').nodes,
    pods: view('node-controller').pods,
    leases: leases.source,
    clock,
    log,
  })
  const te = startTaintEvictionController({ api: link('taint-eviction-controller', 'system:taint-eviction-controller'), nodes: view('taint-eviction-controller').nodes, pods: view('taint-eviction-controller').pods, clock, log })
  const rs = startReplicaSetController({ api: link('replicaset-controller', 'system:replicaset-controller'), replicaSets: view('replicaset-controller').replicasets, pods: view('replicaset-controller').pods, clock, log })

  // ---- the nodes
  const leaseBucket = new LeaseBucket(leases.renew)
  const nodeLinks = new Map<string, ApiClient>()
  const kubelets = new SimKubelets({
    clock,
    view: view(KUBELETS),
    net,
    apiFor: (node) => {
      let l = nodeLinks.get(node)
      if (!l) nodeLinks.set(node, (l = link(node, `system:node:${node}`)))
      return l
    },
    leaseEndpoint: LEASE_BUCKET_ENDPOINT,
    onLease: (node, renewTime) => leaseBucket.put(node, renewTime),
    onRuntime: (obs) => suite.runtime(obs),
    count: o.nodes,
    zoneSize: o.zoneSize,
  })
  await kubelets.start()

  // ---- the user, and the faults
  const quietFrom = o.durationMs - o.convergeWithinMs
  const workload = new Workload(link('user', 'admin'), clock, Rng.stream(o.seed, 'workload'), { pods: o.pods, scalesPerHour: o.scalesPerHour, untilMs: quietFrom }, (at) => suite.desiredChanged(at))
  await workload.start(start)
  const faults = hooks.faults ?? faultSchedule(Rng.stream(o.seed, 'faults'), { ratePerHour: o.faultsPerHour, fromMs: o.warmupMs, untilMs: quietFrom, nodes: kubelets.names })
  const injector = new FaultInjector({ clock, net, kubelets, views, watches: new Map([['node-controller', leaseBucket]]), onBegin: () => suite.faultBegan(clock.now()), onEnd: () => suite.faultEnded(clock.now()) })
  injector.schedule(faults, start)

  // ---- the run
  const tally = new ReplicaSetTally()
  subs.push(
    store.pods.changes$.subscribe((c) => tally.pod(c.type === 'ADDED' ? undefined : c.previous, c.type === 'DELETED' ? undefined : c.object)),
    store.replicasets.changes$.subscribe((c) => tally.replicaSet(`${c.object.metadata?.namespace ?? 'default'}/${c.object.metadata?.name ?? ''}`, c.type === 'DELETED' ? undefined : c.object)),
  )
  const checkReplicaSets = () => suite.replicaSets(clock.now(), tally.states())
  const prune = () => {
    for (const r of resources) suite.projections.prune(Math.min(...[...views.values()].filter((v) => v.resources.includes(r)).map((v) => v.store(r).rev)), r)
  }
  let nextCheck = start + o.checkEveryMs
  let nextMinute = start + 60_000
  await settle()
  while (clock.now() < end) {
    const due = clock.nextAt()
    // Nothing scheduled before the next step: jump straight to the next timer (or check).
    const target = Math.min(end, nextCheck, Math.max(clock.now() + o.stepMs, due ?? end))
    clock.advanceTo(target)
    await settle()
    if (clock.now() >= nextCheck) {
      // While a fault is in effect a check can find nothing.
      if (suite.convergence.inEffect === 0) checkReplicaSets()
      nextCheck += o.checkEveryMs
    }
    if (clock.now() >= nextMinute) {
      nextMinute += 60_000
      if (o.compareProjections) prune()
      hooks.onProgress?.({ simulatedMs: clock.now() - start, wallMs: performance.now() - wallStart, records: api.log.length, activeFaults: injector.active.size, violations: suite.violations.length })
    }
  }
  checkReplicaSets()
  suite.finish()
  const wallMs = performance.now() - wallStart
  const cpu = process.cpuUsage(cpuStart)

  const teardown = performance.now()
  kubelets.stop()
  rs.stop()
  te.stop()
  scheduler.stop()
  await nlc.stop()
  for (const v of views.values()) v.stop()
  for (const s of subs) s.unsubscribe()
  await settle()

  hooks.onLog?.(api.log)
  const eventCounts: Record<string, number> = {}
  for (const { event } of api.log) eventCounts[event.type] = (eventCounts[event.type] ?? 0) + 1
  return {
    options: o,
    eventCounts,
    logHash: logHash.digest(),
    // The api-server's projection: its object-set hashes when they were kept, else a full walk.
    projectionHash: stateHashes.length > 0 ? stateHashes.map((h) => h.value).join('') : projectionHash(store),
    records: api.log.length,
    violations: suite.violations,
    faults,
    acks: suite.acks.acks,
    worstConvergenceMs: suite.convergence.worstMs,
    network: { sent: net.sent, dropped: net.dropped, duplicated: net.duplicated },
    simulatedMs: clock.now() - start,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    teardownMs: performance.now() - teardown,
  }
}
