/**
 * The web page's cluster view as data: nodes with their Ready condition and taints, pods grouped
 * by node with kubectl's STATUS, kept current from Kubernetes watch events. Pure and DOM-free: the
 * browser loads the compiled module (`/lib/runtime/ui/model/cluster.js`) and the unit tests import
 * it directly. Every change bumps the version of the node card it touches, so the page re-renders
 * only the cards that changed.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { podStatusSummary } from '../../cli/print/pods.js'

export type ConditionStatus = 'True' | 'False' | 'Unknown'

export interface NodeView {
  name: string
  /** The Ready condition's status; `Unknown` when the node reports none (kubectl's `Unknown`). */
  ready: ConditionStatus
  /** Reason of the Ready condition (`KubeletReady`, `NodeStatusUnknown`). */
  reason?: string
  /** `key=value:effect`, as `kubectl describe node` prints them. */
  taints: string[]
  /** Other conditions that are not in their healthy state (`MemoryPressure`, …). */
  pressures: string[]
  unschedulable: boolean
}

export interface PodView {
  key: string
  name: string
  namespace: string
  /** `spec.nodeName`; '' while unscheduled. */
  node: string
  /** kubectl's STATUS column: `Running`, `ContainerCreating`, `Terminating`, `CrashLoopBackOff`, … */
  status: string
}

/**
 * The page's first list, compact: what the cards show of every node and pod, ~100 bytes a pod
 * instead of ~1.6 KB of Pod JSON, so 10,000 pods arrive and parse in a fraction of the time. The
 * page then watches the normal REST paths from `metadata.resourceVersion`.
 */
export interface ClusterSummary {
  kind: 'ClusterView'
  apiVersion: 'kstate/v1'
  metadata: { resourceVersion: string }
  nodes: NodeView[]
  pods: PodView[]
}

/** A Kubernetes watch event as the API streams it (one JSON object per line). */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  object: T
}

/** The group of pods without a node, shown as the first card. */
export const UNSCHEDULED = ''

export function nodeView(node: Node): NodeView {
  let ready: NodeCondition | undefined
  const pressures: string[] = []
  for (const c of node.status?.conditions ?? []) {
    if (c.type === 'Ready') ready = c
    else if (c.status === 'True') pressures.push(c.type)
  }
  const status = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown'
  return {
    name: node.metadata?.name ?? '',
    ready: status,
    ...(ready?.reason ? { reason: ready.reason } : {}),
    taints: (node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
    pressures,
    unschedulable: node.spec?.unschedulable === true,
  }
}
type NodeCondition = NonNullable<NonNullable<Node['status']>['conditions']>[number]

export function podView(pod: Pod): PodView {
  const name = pod.metadata?.name ?? ''
  const namespace = pod.metadata?.namespace ?? 'default'
  return { key: `${namespace}/${name}`, name, namespace, node: pod.spec?.nodeName ?? UNSCHEDULED, status: podStatusSummary(pod).reason }
}

export interface ClusterCounts {
  nodes: number
  ready: Record<ConditionStatus, number>
  pods: number
  /** Pods per STATUS. */
  statuses: Record<string, number>
}

export class ClusterView {
  readonly nodes = new Map<string, NodeView>()
  readonly pods = new Map<string, PodView>()
  private readonly byNode = new Map<string, Map<string, PodView>>()
  /** Per card (node name, or UNSCHEDULED): bumped on every change the card shows. */
  private readonly versions = new Map<string, number>()
  private order: string[] | undefined
  /** Highest resourceVersion seen (lists and watch events). */
  rev = 0

  static fromLists(nodes: Node[], pods: Pod[], rev = 0): ClusterView {
    return ClusterView.fromSummary({ nodes: nodes.map(nodeView), pods: pods.map(podView), metadata: { resourceVersion: String(rev) } })
  }

  /** From the compact list the gateway serves for the page (`/kstate/v1/clusterview`). */
  static fromSummary(s: Pick<ClusterSummary, 'nodes' | 'pods' | 'metadata'>): ClusterView {
    const v = new ClusterView()
    for (const n of s.nodes) v.putNode(n)
    for (const p of s.pods) v.putPod(p)
    v.rev = Number(s.metadata.resourceVersion) || 0
    return v
  }

  applyNode(e: WatchEvent<Node>): void {
    if (!this.seen(e)) return
    const view = nodeView(e.object)
    if (e.type === 'DELETED') this.removeNode(view.name)
    else this.putNode(view)
  }

  applyPod(e: WatchEvent<Pod>): void {
    if (!this.seen(e)) return
    const view = podView(e.object)
    if (e.type === 'DELETED') this.removePod(view.key)
    else this.putPod(view)
  }

  putNode(view: NodeView): void {
    if (!this.nodes.has(view.name)) this.order = undefined
    this.nodes.set(view.name, view)
    this.touch(view.name)
  }

  removeNode(name: string): void {
    if (this.nodes.delete(name)) this.order = undefined
    this.touch(name)
  }

  putPod(next: PodView): void {
    const prev = this.removePod(next.key)
    this.pods.set(next.key, next)
    let group = this.byNode.get(next.node)
    if (!group) this.byNode.set(next.node, (group = new Map()))
    group.set(next.key, next)
    this.touch(next.node)
    if (next.node === UNSCHEDULED || prev?.node === UNSCHEDULED || (group.size === 1 && !this.nodes.has(next.node))) this.order = undefined
  }

  removePod(key: string): PodView | undefined {
    const prev = this.pods.get(key)
    if (!prev) return undefined
    this.pods.delete(key)
    const group = this.byNode.get(prev.node)
    group?.delete(key)
    this.touch(prev.node)
    if (prev.node === UNSCHEDULED || (group?.size === 0 && !this.nodes.has(prev.node))) this.order = undefined
    return prev
  }

  /** Card version: changes whenever the node or one of its pods changed. */
  version(card: string): number {
    return this.versions.get(card) ?? 0
  }

  /** Pods of a node (UNSCHEDULED: pods without one), by name. */
  podsOf(card: string): PodView[] {
    return [...(this.byNode.get(card)?.values() ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  /**
   * The cards in display order: the unscheduled group first when it has pods, then nodes by name;
   * pods bound to a node the view does not know yet get a card too. `filter` matches node names.
   */
  cards(filter = ''): string[] {
    if (!this.order) {
      const names = new Set(this.nodes.keys())
      for (const [node, group] of this.byNode) if (node !== UNSCHEDULED && group.size > 0) names.add(node)
      const sorted = [...names].sort(compareNames)
      this.order = (this.byNode.get(UNSCHEDULED)?.size ?? 0) > 0 ? [UNSCHEDULED, ...sorted] : sorted
    }
    if (!filter) return this.order
    return this.order.filter((n) => n.includes(filter))
  }

  counts(): ClusterCounts {
    const ready: Record<ConditionStatus, number> = { True: 0, False: 0, Unknown: 0 }
    for (const n of this.nodes.values()) ready[n.ready]++
    const statuses: Record<string, number> = {}
    for (const p of this.pods.values()) statuses[p.status] = (statuses[p.status] ?? 0) + 1
    return { nodes: this.nodes.size, ready, pods: this.pods.size, statuses }
  }

  private seen(e: WatchEvent<{ metadata?: { resourceVersion?: string } }>): boolean {
    if (e.type === 'BOOKMARK' || e.type === 'ERROR') {
      if (e.type === 'BOOKMARK') this.rev = Math.max(this.rev, Number(e.object.metadata?.resourceVersion ?? 0) || 0)
      return false
    }
    this.rev = Math.max(this.rev, Number(e.object.metadata?.resourceVersion ?? 0) || 0)
    return true
  }

  private touch(card: string): void {
    this.versions.set(card, (this.versions.get(card) ?? 0) + 1)
  }
}

/** Node names in natural order: `node-2` before `node-10`. */
export function compareNames(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g
  const pa = a.match(re) ?? []
  const pb = b.match(re) ?? []
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]
    const y = pb[i]
    if (x === y) continue
    const nx = Number(x)
    const ny = Number(y)
    if (Number.isInteger(nx) && Number.isInteger(ny) && nx !== ny) return nx - ny
    return x < y ? -1 : 1
  }
  return pa.length - pb.length
}
