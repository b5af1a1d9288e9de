import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Subscription } from 'rxjs'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import type { ClusterStore } from '../projections/cluster-store.js'

/**
 * Simulated nodes, as KWOK ("Kubernetes WithOut Kubelet") does it: no kubelet machines and no
 * processes, only what the control plane can observe of a node — its Node object, Lease renewals
 * every `leaseRenewMs`, pods bound to it turning Running and Ready, and deletions of its pods being
 * confirmed. A silenced node stops all of that at once, like a kill -9 or a partition.
 */
export interface SimulatedNodesOptions {
  api: ApiClient
  store: ClusterStore
  clock: Clock
  /** Receives each round of Lease renewals (the node Lease KV bucket's role). */
  onLeases(renewals: { node: string; renewTime: number }[]): void
  count: number
  /** Nodes per zone (`topology.kubernetes.io/zone: zone-<i>`). */
  zoneSize: number
  leaseRenewMs?: number
  /** How often bound pods are started and deletions confirmed (the kubelet's sync loop). */
  syncMs?: number
  capacity?: { cpu: string; memory: string; pods: string }
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

export class SimulatedNodes {
  readonly names: string[]
  private readonly silent = new Set<string>()
  /**
   * Work per node (node → pod key → pod), so a sync pass skips a silent node's pods in one step:
   * a silenced zone leaves thousands of pods deleting on it, and walking them every simulated
   * second cost more than the cluster.
   */
  private readonly toStart = new PerNode()
  private readonly toFinalize = new PerNode()
  private sub?: Subscription
  private stopped = false
  /** Pods started, per node: what `kubelet` would report. */
  started = 0

  constructor(private readonly o: SimulatedNodesOptions) {
    this.names = Array.from({ length: o.count }, (_, i) => `sim-node-${String(i).padStart(5, '0')}`)
  }

  zoneOf(i: number): string {
    return `zone-${Math.floor(i / this.o.zoneSize)}`
  }

  async start(): Promise<void> {
    const now = this.o.clock.now()
    const cap = this.o.capacity ?? { cpu: '32', memory: '256Gi', pods: '110' }
    for (const [i, name] of this.names.entries()) {
      const node = kwokNode(name, this.zoneOf(i), now, cap, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
      const r = await this.o.api.request({ verb: 'create', resource: 'nodes', object: node }, { user: `system:node:${name}` })
      if (!r.ok && r.status.reason !== 'AlreadyExists') throw new Error(`registering ${name}: ${r.status.message}`)
    }
    this.sub = this.o.store.pods.changes$.subscribe((c) => {
      const pod = c.object
      const node = pod.spec?.nodeName
      const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`
      const was = c.previous?.spec?.nodeName
      if (was && was !== node) {
        this.toStart.delete(was, key)
        this.toFinalize.delete(was, key)
      }
      if (c.type === 'DELETED' || !node) {
        if (node) {
          this.toStart.delete(node, key)
          this.toFinalize.delete(node, key)
        }
        return
      }
      if (pod.metadata?.deletionTimestamp) {
        this.toStart.delete(node, key)
        this.toFinalize.set(node, key, pod)
      } else if (pod.status?.phase === 'Pending') this.toStart.set(node, key, pod)
    })
    this.renewLeases()
    this.sync()
  }

  /** The node stops heartbeating and reporting, as after kill -9 of its kubelet or a partition. */
  silence(name: string): void {
    this.silent.add(name)
  }
  /** The node is back (partition healed, kubelet restarted): it reports Ready again and resumes. */
  unsilence(name: string): void {
    if (!this.silent.delete(name)) return
    const node = this.o.store.nodes.get(name)
    const now = rfc3339(this.o.clock.now())
    const conditions = (node?.status?.conditions ?? []).map((c) =>
      c.type === 'Ready'
        ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }
        : { ...c, status: 'False', lastHeartbeatTime: now },
    )
    void this.o.api.request({ verb: 'updateStatus', resource: 'nodes', name, status: { ...node?.status, conditions } }, { user: `system:node:${name}` })
  }
  isSilent(name: string): boolean {
    return this.silent.has(name)
  }

  stop(): void {
    this.stopped = true
    this.sub?.unsubscribe()
  }

  private renewLeases(): void {
    if (this.stopped) return
    const now = this.o.clock.now()
    this.o.onLeases(this.names.filter((n) => !this.silent.has(n)).map((node) => ({ node, renewTime: now })))
    this.o.clock.setTimeout(() => this.renewLeases(), this.o.leaseRenewMs ?? 10_000)
  }

  private sync(): void {
    if (this.stopped) return
    const now = rfc3339(this.o.clock.now())
    for (const pod of this.toStart.take((node) => !this.silent.has(node))) {
      this.started++
      const containers = pod.spec?.containers ?? []
      void this.o.api.request(
        {
          verb: 'updateStatus',
          resource: 'pods',
          namespace: pod.metadata!.namespace!,
          name: pod.metadata!.name!,
          status: {
            ...pod.status,
            phase: 'Running',
            hostIP: '10.0.0.1',
            podIP: '10.0.0.1',
            startTime: now,
            conditions: [
              { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
              { type: 'Initialized', status: 'True', lastTransitionTime: now },
              { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
              { type: 'Ready', status: 'True', lastTransitionTime: now },
            ],
            containerStatuses: containers.map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })),
          },
        },
        { user: `system:node:${pod.spec!.nodeName}` },
      )
    }
    for (const pod of this.toFinalize.take((node) => !this.silent.has(node))) {
      void this.o.api.request({ verb: 'delete', resource: 'pods', namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, gracePeriodSeconds: 0, uid: pod.metadata?.uid }, { user: `system:node:${pod.spec!.nodeName}` })
    }
    this.o.clock.setTimeout(() => this.sync(), this.o.syncMs ?? 1_000)
  }
}

/** Pods by node, then by key, in arrival order. */
class PerNode {
  private readonly byNode = new Map<string, Map<string, Pod>>()

  set(node: string, key: string, pod: Pod): void {
    let m = this.byNode.get(node)
    if (!m) this.byNode.set(node, (m = new Map()))
    m.set(key, pod)
  }
  delete(node: string, key: string): void {
    const m = this.byNode.get(node)
    if (m?.delete(key) && m.size === 0) this.byNode.delete(node)
  }
  /** Removes and returns the pods of the nodes `ready` accepts. */
  take(ready: (node: string) => boolean): Pod[] {
    const out: Pod[] = []
    for (const [node, m] of this.byNode) {
      if (!ready(node)) continue
      for (const pod of m.values()) out.push(pod)
      this.byNode.delete(node)
    }
    return out
  }
}

/** A KWOK-style Node as a simulated kubelet registers it: Ready, no pressure, the given capacity. */
export function kwokNode(name: string, zone: string, now: number, capacity: Record<string, string>, ip: string): Node {
  const at = rfc3339(now)
  const cond = (type: string, status: string, reason: string, message?: string) => ({ type, status, reason, ...(message ? { message } : {}), lastHeartbeatTime: at, lastTransitionTime: at })
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone, type: 'kwok' } },
    spec: {},
    status: {
      capacity,
      allocatable: capacity,
      conditions: [
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID'),
      ],
      nodeInfo: { kubeletVersion: 'v1.32.0-kwok', containerRuntimeVersion: 'kwok://fake', osImage: 'kwok', kernelVersion: '', operatingSystem: 'linux', architecture: 'amd64', machineID: '', systemUUID: '', bootID: '', kubeProxyVersion: '' },
      addresses: [{ type: 'InternalIP', address: ip }],
    },
  }
}
