import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js'
import { nodeAllocatable, podNonZeroRequests, podRequests, zero, type Allocatable, type Resources } from './resources.js'

/**
 * The scheduling framework after kube-scheduler's `pkg/scheduler/framework`: plugin interfaces,
 * the per-node view plugins read, the status a filter returns, and the FitError message.
 */

/**
 * What a filter concluded about one node, as a value (`framework.Status`'s codes, reduced to two).
 * - `Success`: the node stays a candidate.
 * - `Unschedulable`: the node is dropped for this attempt; `reasons` go into the FitError message
 *   and the pod waits until the cluster changes (a node or a pod on a node).
 */
export type Status = { code: 'Success' } | { code: 'Unschedulable'; reasons: string[] }

export const success: Status = Object.freeze({ code: 'Success' }) as Status
export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons })
export const isSuccess = (s: Status): s is { code: 'Success' } => s.code === 'Success'

/** `framework.MaxNodeScore`: a score plugin answers 0…100. */
export const MAX_NODE_SCORE = 100

/**
 * One node as plugins see it during a scheduling attempt (`framework.NodeInfo`): the Node and
 * what the pods on it (bound there, or assumed there while their binding is in flight) request.
 */
export interface NodeInfo {
  readonly name: string
  readonly node: Node
  /**
   * What filters read of the Node, read once when the info is made (a Node object is immutable):
   * an attempt visits hundreds of nodes, and reaching into each one's spec, labels and conditions
   * cost more than the filters' logic.
   */
  readonly ready: string | undefined
  readonly unschedulable: boolean
  readonly labels: Readonly<Record<string, string>>
  readonly taints: readonly Taint[]
  readonly allocatable: Allocatable
  /** Number of pods counted on the node. */
  podCount: number
  /** Sum of the pods' requests (missing requests count 0): what the fit filter compares. */
  requested: Resources
  /** Sum with `GetNonzeroRequests` defaults: what least-allocated scoring compares. */
  nonZeroRequested: Resources
}

/** What the pods counted on a node request, kept per node so an attempt need not walk every pod. */
export interface NodeUsage {
  pods: number
  requested: Resources
  nonZeroRequested: Resources
}

export const emptyUsage: NodeUsage = Object.freeze({ pods: 0, requested: zero(), nonZeroRequested: zero() })

/** `usage` plus (`sign` 1) or minus (`sign` -1) one pod's requests. */
export function withPod(usage: NodeUsage, pod: Pod, sign: 1 | -1): NodeUsage {
  const r = podRequests(pod)
  const nz = podNonZeroRequests(pod)
  return {
    pods: usage.pods + sign,
    requested: { milliCpu: usage.requested.milliCpu + sign * r.milliCpu, memory: usage.requested.memory + sign * r.memory },
    nonZeroRequested: { milliCpu: usage.nonZeroRequested.milliCpu + sign * nz.milliCpu, memory: usage.nonZeroRequested.memory + sign * nz.memory },
  }
}

export function newNodeInfo(node: Node, usage: NodeUsage = emptyUsage): NodeInfo {
  return {
    name: node.metadata?.name ?? '',
    node,
    ready: node.status?.conditions?.find((c) => c.type === 'Ready')?.status,
    unschedulable: node.spec?.unschedulable === true,
    labels: node.metadata?.labels ?? {},
    taints: node.spec?.taints ?? [],
    allocatable: nodeAllocatable(node),
    podCount: usage.pods,
    requested: usage.requested,
    nonZeroRequested: usage.nonZeroRequested,
  }
}

/** Counts a pod on the node (`NodeInfo.AddPod`). NodeInfos live for one attempt, never in context. */
export function addPod(info: NodeInfo, pod: Pod): void {
  const u = withPod({ pods: info.podCount, requested: info.requested, nonZeroRequested: info.nonZeroRequested }, pod, 1)
  info.podCount = u.pods
  info.requested = u.requested
  info.nonZeroRequested = u.nonZeroRequested
}

export interface Plugin {
  readonly name: string
}

/** Rejects nodes the pod cannot run on. Pure; must not mutate its arguments. */
export interface FilterPlugin extends Plugin {
  filter(pod: Pod, nodeInfo: NodeInfo): Status
}

/** Ranks feasible nodes, 0…MAX_NODE_SCORE, higher is better. Pure. */
export interface ScorePlugin extends Plugin {
  score(pod: Pod, nodeInfo: NodeInfo): number
}

/** The plugins of one scheduler profile, in the order filters run (the first rejection wins). */
export interface Profile {
  filters: readonly FilterPlugin[]
  scores: readonly { plugin: ScorePlugin; weight: number }[]
}

/** How one node fared in an attempt, kept for `kstate explain`. */
export type NodeVerdict =
  | { rejectedBy: string; reasons: string[] }
  | { scores: Record<string, number>; total: number }

/** Runs the filters in order and stops at the first rejection (`RunFilterPlugins`). */
export function runFilters(profile: Profile, pod: Pod, info: NodeInfo): { plugin: string; status: Status } | undefined {
  for (const p of profile.filters) {
    const status = p.filter(pod, info)
    if (!isSuccess(status)) return { plugin: p.name, status }
  }
  return undefined
}

/** Runs every score plugin; the total is the weighted sum (`RunScorePlugins` without normalization, which least-allocated does not use). */
export function runScores(profile: Profile, pod: Pod, info: NodeInfo): { scores: Record<string, number>; total: number } {
  const scores: Record<string, number> = {}
  let total = 0
  for (const { plugin, weight } of profile.scores) {
    const s = plugin.score(pod, info)
    scores[plugin.name] = s
    total += s * weight
  }
  return { scores, total }
}

/** `ErrNoNodesAvailable`: the message when the cluster has no node at all. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods'

/**
 * `FitError.Error()`: `0/N nodes are available: <count> <reason>, ….` — one entry per distinct
 * reason with the number of nodes that gave it, the `"<count> <reason>"` strings sorted as Go's
 * `sort.Strings` sorts them, joined by `, `, ended by a period.
 */
export function fitErrorMessage(numAllNodes: number, rejections: Iterable<readonly string[]>): string {
  if (numAllNodes === 0) return NO_NODES_AVAILABLE
  const histogram = new Map<string, number>()
  for (const reasons of rejections) for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1)
  const entries = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort(byteOrder)
  const base = `0/${numAllNodes} nodes are available:`
  return entries.length > 0 ? `${base} ${entries.join(', ')}.` : base
}

/** Go's `sort.Strings` order; reasons are ASCII (label and taint keys), where UTF-16 and byte order agree. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
