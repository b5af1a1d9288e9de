import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import type { Subscription } from 'rxjs'
import { objectKey } from '../../events/index.js'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import type { PodRuntimeObservation } from '../invariants/index.js'
import { API_SERVER } from './api-link.js'
import type { SimNetwork } from './network.js'
import { kwokNode } from '../sim/simulated-nodes.js'
import type { ProcessView } from './process-view.js'

export interface SimKubeletsOptions {
  clock: Clock
  /** What the kubelets know of the cluster (one shared view; a node cut off from the api-server ignores it). */
  view: ProcessView
  net: SimNetwork
  /** The api client of one node (`system:node:NAME`, its own network endpoint). */
  apiFor(node: string): ApiClient
  /** Where Lease renewals go (the node controller's end of the lease bucket). */
  leaseEndpoint: string
  onLease(node: string, renewTime: number): void
  /** What each node does to its pods' containers, as it does it. */
  onRuntime?(o: PodRuntimeObservation): void
  count: number
  /** Nodes per zone (`topology.kubernetes.io/zone: zone-<i>`). */
  zoneSize: number
  capacity?: { cpu: string; memory: string; pods: string }
  /** Lease renewal period (the kubelet renews every quarter of its 40 s lease). */
  leaseRenewMs?: number
  /** The sync loop's period: bound pods started, status posted, deletions confirmed. */
  syncMs?: number
  /** How long an unanswered status post or deletion waits before it is sent again. */
  retryMs?: number
}

interface NodeState {
  name: string
  index: number
  up: boolean
  leaseLoss: number
  skewMs: number
  /** Pods whose containers run here now, by key → uid: the runtime truth. */
  running: Map<string, string>
  /** Pods that need the kubelet's attention. */
  dirty: Set<string>
  /** When each pod's last status post or deletion was sent. */
  sentAt: Map<string, number>
  statusDirty: boolean
  statusSentAt: number
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
const podKeyOf = (p: Pod) => `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`
const isReady = (conditions: { type: string; status: string }[] | undefined) => conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
export const simNodeName = (i: number) => `sim-node-${String(i).padStart(5, '0')}`

/**
 * Simulated kubelets, KWOK-style (no containers, only what the control plane can observe), with
 * the faults a simulation needs: a node crashes (its pods stop) and restarts, is cut off from the
 * control plane (its pods keep running), loses its Lease renewals, or runs a skewed clock. Unlike
 * `runtime/sim`'s nodes they reconcile level-triggered, as a kubelet does: a status post or a
 * deletion that got no answer is sent again, a node the API shows not Ready posts Ready again, a
 * pod marked not Ready while its node was unreachable is reported Ready again.
 */
export class SimKubelets {
  readonly names: string[]
  private readonly nodes = new Map<string, NodeState>()
  private readonly dirtyNodes = new Set<string>()
  private readonly subs: Subscription[] = []
  private stopped = false
  private readonly leaseRenewMs: number
  private readonly syncMs: number
  private readonly retryMs: number

  constructor(private readonly o: SimKubeletsOptions) {
    this.names = Array.from({ length: o.count }, (_, i) => simNodeName(i))
    this.names.forEach((name, index) =>
      this.nodes.set(name, { name, index, up: true, leaseLoss: 0, skewMs: 0, running: new Map(), dirty: new Set(), sentAt: new Map(), statusDirty: false, statusSentAt: -Infinity }),
    )
    this.leaseRenewMs = o.leaseRenewMs ?? 10_000
    this.syncMs = o.syncMs ?? 1_000
    this.retryMs = o.retryMs ?? 10_000
  }

  zoneOf(i: number): string {
    return `zone-${Math.floor(i / this.o.zoneSize)}`
  }

  /** Registers every node, then starts the sync loop and the Lease renewals. */
  async start(): Promise<void> {
    const registered = await Promise.all(this.names.map((name, i) => this.o.apiFor(name).request({ verb: 'create', resource: 'nodes', object: this.nodeObject(name, i) })))
    const failed = registered.find((r) => !r.ok && r.status.reason !== 'AlreadyExists')
    if (failed && !failed.ok) throw new Error(`registering simulated nodes: ${failed.status.message}`)
    this.subs.push(
      this.o.view.pods.changes$.subscribe((c) => {
        const node = c.object.spec?.nodeName
        const st = node ? this.nodes.get(node) : undefined
        if (!st) return
        st.dirty.add(podKeyOf(c.object))
        this.dirtyNodes.add(st.name)
      }),
      this.o.view.nodes.changes$.subscribe((c) => {
        const st = this.nodes.get(c.object.metadata?.name ?? '')
        if (!st || c.type === 'DELETED' || isReady(c.object.status?.conditions)) return
        st.statusDirty = true
        this.dirtyNodes.add(st.name)
      }),
    )
    this.renewLeases()
    this.sync()
  }

  stop(): void {
    this.stopped = true
    for (const s of this.subs) s.unsubscribe()
  }

  // ---- faults

  /** The kubelet and its pods die (kill -9 of the node). */
  crash(name: string): void {
    const st = this.nodes.get(name)
    if (!st || !st.up) return
    st.up = false
    for (const [key, uid] of st.running) this.observe(st, key, uid, 'stopped')
    st.running.clear()
    st.sentAt.clear()
  }
  /** The node boots again: it reports Ready and restarts the pods still bound to it. */
  restart(name: string): void {
    const st = this.nodes.get(name)
    if (!st || st.up) return
    st.up = true
    for (const p of this.o.view.pods.list()) if (p.spec?.nodeName === name) st.dirty.add(podKeyOf(p))
    st.statusDirty = true
    st.statusSentAt = -Infinity
    this.dirtyNodes.add(name)
  }
  isUp(name: string): boolean {
    return this.nodes.get(name)?.up ?? false
  }
  loseLeases(name: string, lost: boolean): void {
    const st = this.nodes.get(name)
    if (st) st.leaseLoss = Math.max(0, st.leaseLoss + (lost ? 1 : -1))
  }
  skewClock(name: string, deltaMs: number): void {
    const st = this.nodes.get(name)
    if (st) st.skewMs += deltaMs
  }
  /** Pods running on a node now (the runtime truth, for reports). */
  runningOn(name: string): number {
    return this.nodes.get(name)?.running.size ?? 0
  }

  // ---- the kubelet's loops

  private renewLeases(): void {
    if (this.stopped) return
    const now = this.o.clock.now()
    for (const st of this.nodes.values()) {
      if (!st.up) continue
      if (st.leaseLoss === 0) {
        const renewTime = now + st.skewMs
        // Most renewals meet no fault: skip the network's closure for them.
        if (!this.o.net.disturbed(st.name, this.o.leaseEndpoint)) this.o.onLease(st.name, renewTime)
        else this.o.net.send(st.name, this.o.leaseEndpoint, () => this.o.onLease(st.name, renewTime))
      }
      // The node status loop: a node the API shows not Ready reports again.
      const node = this.o.view.nodes.get(st.name)
      if (node && !isReady(node.status?.conditions)) {
        st.statusDirty = true
        this.dirtyNodes.add(st.name)
      }
    }
    this.o.clock.setTimeout(() => this.renewLeases(), this.leaseRenewMs)
  }

  private sync(): void {
    if (this.stopped) return
    for (const name of this.dirtyNodes) {
      const st = this.nodes.get(name)!
      // A node cut off from the api-server sees no changes; it catches up once healed.
      if (!st.up || !this.o.net.reachable(name, API_SERVER)) continue
      if (st.statusDirty) this.syncNodeStatus(st)
      for (const key of st.dirty) if (this.syncPod(st, key)) st.dirty.delete(key)
      if (st.dirty.size === 0 && !st.statusDirty) this.dirtyNodes.delete(name)
    }
    this.o.clock.setTimeout(() => this.sync(), this.syncMs)
  }

  private nodeNow(st: NodeState): number {
    return this.o.clock.now() + st.skewMs
  }

  private due(st: NodeState, key: string): boolean {
    const at = st.sentAt.get(key)
    return at === undefined || this.o.clock.now() - at >= this.retryMs
  }

  /** One pod's reconciliation; true when nothing is left to do for it. */
  private syncPod(st: NodeState, key: string): boolean {
    const pod = this.o.view.pods.get(key)
    const local = st.running.get(key)
    const uid = pod?.metadata?.uid ?? ''
    if (local !== undefined && (!pod || pod.spec?.nodeName !== st.name || local !== uid)) {
      this.observe(st, key, local, 'stopped')
      st.running.delete(key)
    }
    if (!pod || pod.spec?.nodeName !== st.name) {
      st.sentAt.delete(key)
      return true
    }
    const api = this.o.apiFor(st.name)
    if (pod.metadata?.deletionTimestamp) {
      if (st.running.delete(key)) this.observe(st, key, uid, 'stopped')
      if (this.due(st, key)) {
        st.sentAt.set(key, this.o.clock.now())
        void api.request({ verb: 'delete', resource: 'pods', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', gracePeriodSeconds: 0, uid })
      }
      return false // until the view shows it gone
    }
    const phase = pod.status?.phase
    if (phase === 'Succeeded' || phase === 'Failed') {
      if (st.running.delete(key)) this.observe(st, key, uid, 'stopped')
      return true
    }
    if (!st.running.has(key)) {
      st.running.set(key, uid)
      this.observe(st, key, uid, 'running')
    }
    if (phase === 'Running' && isReady(pod.status?.conditions)) {
      st.sentAt.delete(key)
      return true
    }
    if (this.due(st, key)) {
      st.sentAt.set(key, this.o.clock.now())
      void api.request({ verb: 'updateStatus', resource: 'pods', namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', status: this.runningStatus(st, pod) })
    }
    return false
  }

  private syncNodeStatus(st: NodeState): void {
    const node = this.o.view.nodes.get(st.name)
    if (!node || isReady(node.status?.conditions)) {
      st.statusDirty = false
      return
    }
    const now = this.o.clock.now()
    if (now - st.statusSentAt < this.retryMs) return
    st.statusSentAt = now
    const at = rfc3339(this.nodeNow(st))
    const conditions = (node.status?.conditions ?? []).map((c) =>
      c.type === 'Ready'
        ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: at, lastTransitionTime: at }
        : { ...c, status: 'False', lastHeartbeatTime: at },
    )
    void this.o.apiFor(st.name).request({ verb: 'updateStatus', resource: 'nodes', name: st.name, status: { ...node.status, conditions } })
  }

  private runningStatus(st: NodeState, pod: Pod): Pod['status'] {
    const now = rfc3339(this.nodeNow(st))
    const ip = this.ip(st.index)
    const set = (conditions: PodCondition[], type: string) => {
      const was = conditions.find((c) => c.type === type)
      return was?.status === 'True' ? was : { type, status: 'True', lastTransitionTime: now }
    }
    const before = pod.status?.conditions ?? []
    const mine = ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']
    const conditions = [...mine.map((t) => set(before, t)), ...before.filter((c) => !mine.includes(c.type))]
    return {
      ...pod.status,
      phase: 'Running',
      hostIP: ip,
      podIP: ip,
      startTime: pod.status?.startTime ?? now,
      conditions,
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })),
    }
  }

  private observe(st: NodeState, key: string, uid: string, state: PodRuntimeObservation['state']): void {
    if (!this.o.onRuntime) return
    const [namespace, name] = key.split('/')
    this.o.onRuntime({ at: this.o.clock.now(), node: st.name, uid, pod: objectKey({ resource: 'pods', namespace, name }), state })
  }

  private ip(i: number): string {
    return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
  }

  private nodeObject(name: string, i: number): Node {
    return kwokNode(name, this.zoneOf(i), this.o.clock.now(), this.o.capacity ?? { cpu: '32', memory: '256Gi', pods: '110' }, this.ip(i))
  }
}
