/**
 * The scenarios golden histories are recorded from: whole clusters on the virtual clock (the sim:
 * the real scheduler and controllers, the api-server's planning over an in-memory log, KWOK-style
 * nodes). Deterministic: the same code records the same history, event for event.
 */
import type { NodeLifecycleFlags } from '../../actors/controllers/node-lifecycle/controller.js'
import type { LogEvent, Recorded } from '../../events/index.js'
import { VirtualClock } from '../../runtime/clock/virtual-clock.js'
import { logger } from '../../runtime/log.js'
import { startSimCluster, type SimCluster } from '../../runtime/sim/sim-cluster.js'

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)

/**
 * Node lifecycle flags per golden history (by file name before the first dot) recorded with other
 * than the defaults: `kstate replay --verify FILE` needs the same on its command line.
 */
export const GOLDEN_FLAGS: Record<string, Partial<NodeLifecycleFlags>> = {
  'e2e-node-failure': { nodeMonitorPeriodMs: 1_000, nodeMonitorGracePeriodMs: 4_000 },
}

export interface Scenario {
  name: string
  description: string
  record(): Promise<Recorded<LogEvent>[]>
}

const replicaSet = (name: string, replicas: number, cpu = '100m') => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu, memory: '64Mi' } } }] } },
  },
})

async function withSim(nodes: number, zoneSize: number, body: (sim: SimCluster) => Promise<void>): Promise<Recorded<LogEvent>[]> {
  const clock = new VirtualClock(T0)
  const sim = await startSimCluster({ clock, nodes, zoneSize, log: logger('golden') })
  try {
    await body(sim)
  } finally {
    await sim.stop()
  }
  return sim.api.log.map((e, i) => ({ rev: i + 1, subject: e.subject, event: e.event }))
}

async function must(sim: SimCluster, r: Parameters<SimCluster['api']['request']>[0]): Promise<void> {
  const res = await sim.api.request(r, { user: 'admin' })
  if (!res.ok) throw new Error(`${r.verb} ${r.resource}: ${res.status.message}`)
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'node-failure',
    description: '6 nodes, a ReplicaSet of 12; one node goes silent: Unknown, unreachable taint, evictions 300 s later, replacements; then it returns',
    record: () =>
      withSim(6, 6, async (sim) => {
        await must(sim, { verb: 'create', resource: 'replicasets', namespace: 'default', object: replicaSet('web', 12) })
        await sim.run(30_000)
        sim.nodes.silence(sim.nodes.names[2])
        await sim.run(600_000)
        sim.nodes.unsilence(sim.nodes.names[2])
        await sim.run(60_000)
      }),
  },
  {
    name: 'zone-failure',
    description: '10 nodes in 2 zones, a ReplicaSet of 20; three nodes of both zones silent at once (one verdict each at the same tick, taints through each zone\'s rate limiter); then two more in zone-0, which becomes PartialDisruption and, being small, stops tainting',
    record: () =>
      withSim(10, 5, async (sim) => {
        await must(sim, { verb: 'create', resource: 'replicasets', namespace: 'default', object: replicaSet('web', 20) })
        await sim.run(60_000)
        for (const i of [0, 1, 5]) sim.nodes.silence(sim.nodes.names[i])
        await sim.run(400_000)
        for (const i of [2, 3]) sim.nodes.silence(sim.nodes.names[i])
        await sim.run(400_000)
      }),
  },
  {
    name: 'scale-and-unschedulable',
    description: '3 nodes; a ReplicaSet scaled 4 → 9 → 2, a pod deleted by a user, a ReplicaSet too big for any node (Unschedulable), a node registered by a kubelet that never renews its Lease (Unknown after the grace period, tainted)',
    record: () =>
      withSim(3, 3, async (sim) => {
        await must(sim, { verb: 'create', resource: 'replicasets', namespace: 'default', object: replicaSet('api', 4) })
        await sim.run(10_000)
        await must(sim, { verb: 'scale', resource: 'replicasets', namespace: 'default', name: 'api', replicas: 9 })
        await sim.run(10_000)
        const victim = sim.store.pods.list().find((p) => p.metadata?.labels?.app === 'api')!
        await must(sim, { verb: 'delete', resource: 'pods', namespace: 'default', name: victim.metadata!.name! })
        await sim.run(10_000)
        await must(sim, { verb: 'scale', resource: 'replicasets', namespace: 'default', name: 'api', replicas: 2 })
        await sim.run(20_000)
        await must(sim, { verb: 'create', resource: 'replicasets', namespace: 'default', object: replicaSet('huge', 2, '64') })
        await sim.run(30_000)
        const now = new Date(sim.api.log.at(-1)!.event.at).toISOString().replace(/\.\d{3}Z$/, 'Z')
        const late = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'late-node', labels: { 'topology.kubernetes.io/zone': 'zone-0' } }, spec: {}, status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }] } }
        const r = await sim.api.request({ verb: 'create', resource: 'nodes', object: late }, { user: 'system:node:late-node' })
        if (!r.ok) throw new Error(r.status.message)
        await sim.run(90_000)
      }),
  },
]
