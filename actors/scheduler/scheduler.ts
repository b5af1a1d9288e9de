import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { assertEvent, enqueueActions, setup } from 'xstate'
import { addPod, emptyUsage, fitErrorMessage, newNodeInfo, runFilters, runScores, withPod, type NodeInfo, type NodeUsage, type NodeVerdict, type Profile } from './framework.js'
import { defaultProfile } from './plugins/index.js'
import { readyStatus } from './plugins/node-ready.js'
import { emptyTable, lookup, tableKeys, TableEditor, type Table } from '../lib/sharded-table.js'

/**
 * The kube-scheduler as a pure XState machine: informer changes in, `BindPod` and
 * `PodUnschedulable` commands out (`emit`), time only through delayed events on the injected clock.
 *
 * Queues follow kube-scheduler's `PriorityQueue`: a pending pod is in exactly one of
 * - `active`: waiting for the next scheduling cycle (run whenever the queue is non-empty);
 * - `assumed`: a node was chosen and `BindPod` emitted; its requests count on that node until the
 *   informer shows `spec.nodeName` or the binding fails;
 * - `unschedulable`: no node fits; back to active on a cluster change (a node added, changed or
 *   removed, a pod leaving a node) or after `podMaxInUnschedulablePodsDuration`;
 * - `backoff`: the binding failed; back to active after 1 s, 2 s, 4 s … capped at 10 s;
 * - none of them ("parked"): the binding was refused for good (409/404); the informer's next
 *   version of the pod re-queues it, or its removal forgets it.
 */

export interface SchedulerConfig {
  /** `spec.schedulerName` of the pods this scheduler owns (absent means `default-scheduler`). */
  schedulerName: string
  /** kube-scheduler's `podInitialBackoffDuration`, ms. */
  podInitialBackoffDuration: number
  /** kube-scheduler's `podMaxBackoffDuration`, ms. */
  podMaxBackoffDuration: number
  /** kube-scheduler's `podMaxInUnschedulablePodsDuration`, ms: an unschedulable pod is retried at least this often. */
  podMaxInUnschedulablePodsDuration: number
  /** How many pods' last scheduling decision `decisions` keeps. */
  decisionHistory: number
}

export const defaultSchedulerConfig: SchedulerConfig = {
  schedulerName: 'default-scheduler',
  podInitialBackoffDuration: 1_000,
  podMaxBackoffDuration: 10_000,
  podMaxInUnschedulablePodsDuration: 5 * 60_000,
  decisionHistory: 1_000,
}

export type SchedulerEvent =
  /** A pod was added or changed (informer ADDED/MODIFIED); `rev` is the log revision of that change. */
  | { type: 'POD_UPSERTED'; pod: Pod; rev: number }
  /** A pod is gone (informer DELETED); `key` is `namespace/name`. */
  | { type: 'POD_REMOVED'; key: string }
  /**
   * Several pod changes in order, handled in one step: a burst (a ReplicaSet creating 500 pods)
   * then costs one scheduling cycle instead of one per pod. The host batches per microtask.
   */
  | { type: 'PODS_CHANGED'; changes: ({ pod: Pod; rev: number } | { removed: string })[] }
  | { type: 'NODE_UPSERTED'; node: Node }
  | { type: 'NODE_REMOVED'; name: string }
  /** The api-server accepted a `BindPod`. `uid`, when given, must be the bound pod's. */
  | { type: 'BIND_SUCCEEDED'; key: string; uid?: string }
  /** The api-server refused a `BindPod`; `retryable: false` when the pod changed or is gone (409, 404). */
  | { type: 'BIND_FAILED'; key: string; reason: string; retryable: boolean; uid?: string }
  /** Internal, delayed: the pod's backoff is over. */
  | { type: 'BACKOFF_EXPIRED'; key: string }
  /** Internal, delayed: the pod has been unschedulable for `podMaxInUnschedulablePodsDuration`. */
  | { type: 'UNSCHEDULABLE_TIMEOUT'; key: string }

export type SchedulerCommand =
  /** Bind the pod to the node (POST …/binding). Answer with BIND_SUCCEEDED or BIND_FAILED. */
  | { type: 'BindPod'; namespace: string; name: string; uid: string | undefined; nodeName: string; cause: number }
  /** Set the pod's PodScheduled condition to False, reason Unschedulable, with `message`. Fire and forget. */
  | { type: 'PodUnschedulable'; namespace: string; name: string; uid: string | undefined; message: string; cause: number }

/** Bookkeeping of a pod this scheduler owns and has not seen bound yet. */
export interface PendingPod {
  /** Revision of the event that made the pod pending (or re-queued it after a spec change). */
  cause: number
  /** Failed bindings in a row: the exponent of the backoff. */
  attempts: number
  /** The last PodUnschedulable message emitted, so each distinct message is reported once. */
  reported?: string
}

export interface Assumption {
  nodeName: string
  /** Revision of the pod version the decision was made on. */
  rev: number
  uid: string | undefined
}

export interface CachedPod {
  pod: Pod
  rev: number
  /** The node whose usage counts this pod: where it is bound, or assumed while its binding is in flight. */
  countedOn?: string
}

/**
 * The last scheduling attempt of one pod, for `kstate explain pod/NAME`. Per-node results are
 * grouped (rejections) and columnar (scores) so a decision over thousands of nodes stays a few
 * arrays; `nodeVerdicts(decision)` gives the per-node view.
 */
export interface Decision {
  uid: string | undefined
  /** Revision of the pod version that was scheduled. */
  rev: number
  /** The scheduler's attempt counter at the time: orders decisions across pods. */
  attempt: number
  /** Nodes a filter rejected, grouped by the plugin and its reasons. */
  rejected: { plugin: string; reasons: string[]; nodes: string[] }[]
  /** Feasible nodes in name order, with the weighted total and each score plugin's score, index for index. */
  scored: { nodes: string[]; total: number[]; byPlugin: Record<string, number[]> }
  outcome: { nodeName: string } | { message: string }
  /** Why the binding that followed failed, if it did. */
  bindError?: string
}

/** Per node: the rejecting filter and its reasons, or the scores per plugin. */
export function nodeVerdicts(d: Decision): Record<string, NodeVerdict> {
  const out: Record<string, NodeVerdict> = {}
  for (const g of d.rejected) for (const n of g.nodes) out[n] = { rejectedBy: g.plugin, reasons: g.reasons }
  d.scored.nodes.forEach((n, i) => {
    const scores: Record<string, number> = {}
    for (const [plugin, column] of Object.entries(d.scored.byPlugin)) scores[plugin] = column[i]
    out[n] = { scores, total: d.scored.total[i] }
  })
  return out
}

// ---------------------------------------------------------------------------------------------
// Tables: persistent maps (`actors/lib/sharded-table.ts`), so an event costs what it touches.

export { lookup, tableEntries, tableKeys, type Table } from '../lib/sharded-table.js'

interface TableTypes {
  nodes: Node
  usage: NodeUsage
  pods: CachedPod
  pending: PendingPod
  assumed: Assumption
  unschedulable: true
  backoff: true
  decisions: Decision
}
type TableName = keyof TableTypes
type ListName = 'active' | 'nodeNames' | 'decisionOrder'

export interface SchedulerContext {
  config: SchedulerConfig
  /** name → Node. */
  nodes: Table<Node>
  /** Node names, sorted: the order an attempt visits nodes in. */
  nodeNames: string[]
  /**
   * The NodeInfo of each node, index for index with `nodeNames`: derived from `nodes` and `usage`
   * and kept up to date with them, so an attempt reads a node without a lookup (an attempt in a
   * cluster of 5,000 nodes reads 500 to 1,000 of them).
   */
  nodeInfos: readonly NodeInfo[]
  /** name → the requests of the pods counted on the node (bound there, or assumed there). */
  usage: Table<NodeUsage>
  /** `namespace/name` → every live, non-terminal pod. */
  pods: Table<CachedPod>
  /** Pods this scheduler owns that are not bound yet. */
  pending: Table<PendingPod>
  /** Active queue, in arrival order (a cycle sorts it by priority, stable). */
  active: string[]
  assumed: Table<Assumption>
  unschedulable: Table<true>
  backoff: Table<true>
  /** Last decision per pod, at most `config.decisionHistory` pods; `decisionOrder` oldest first. */
  decisions: Table<Decision>
  decisionOrder: string[]
  /** Scheduling attempts made so far. */
  attempts: number
  /** Where the next attempt starts looking (kube-scheduler's `nextStartNodeIndex`), so searches cut short by `numFeasibleNodesToFind` still cover every node in turn. */
  nextStartNodeIndex: number
}

/**
 * kube-scheduler's adaptive `percentageOfNodesToScore` (`numFeasibleNodesToFind`): in a large
 * cluster it stops filtering once it has found enough feasible nodes: 50% − n/125 of them (at
 * least 5%), never fewer than 100. With 5,000 nodes that is 500, which is what makes scheduling
 * 50,000 pods affordable.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  const minFeasibleNodesToFind = 100
  if (numAllNodes < minFeasibleNodesToFind || percentageOfNodesToScore >= 100) return numAllNodes
  let pct = percentageOfNodesToScore
  if (pct <= 0) pct = Math.max(5, 50 - numAllNodes / 125)
  return Math.max(minFeasibleNodesToFind, Math.floor((numAllNodes * pct) / 100))
}

export const podKey = (pod: Pod): string => `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`

/** `calculateBackoffDuration`: initial × 2^(attempts-1), capped. */
export function backoffDuration(attempts: number, config: Pick<SchedulerConfig, 'podInitialBackoffDuration' | 'podMaxBackoffDuration'>): number {
  let d = config.podInitialBackoffDuration
  for (let i = 1; i < attempts && d < config.podMaxBackoffDuration; i++) d *= 2
  return Math.min(d, config.podMaxBackoffDuration)
}

export function initialContext(config: Partial<SchedulerConfig> = {}): SchedulerContext {
  return {
    config: { ...defaultSchedulerConfig, ...config },
    nodes: emptyTable(),
    nodeNames: [],
    nodeInfos: [],
    usage: emptyTable(),
    pods: emptyTable(),
    pending: emptyTable(),
    active: [],
    assumed: emptyTable(),
    unschedulable: emptyTable(),
    backoff: emptyTable(),
    decisions: emptyTable(),
    decisionOrder: [],
    attempts: 0,
    nextStartNodeIndex: 0,
  }
}

// ---------------------------------------------------------------------------------------------
// The scheduling attempt: filter every node, score the feasible ones, pick the best.

export interface ScheduleResult {
  /** The chosen node, or undefined when none is feasible. */
  nodeName?: string
  /** FitError message when no node is feasible. */
  message?: string
  rejected: Decision['rejected']
  scored: Decision['scored']
}

/**
 * One attempt for one pod over `nodes` (sorted by name). The highest total wins. Ties go to the
 * node with fewest pods, then the first by name: Kubernetes picks at random among ties and its
 * default PodTopologySpread constraints (spread by hostname, ScheduleAnyway) even out replicas;
 * kstate spreads the same way and stays reproducible. Without it, on large nodes where 100m of cpu
 * does not move the integer score, every replica of a ReplicaSet would land on the same node.
 */
export function schedulePod(profile: Profile, pod: Pod, nodes: readonly NodeInfo[] | NodeInfoList, start = 0, feasibleToFind = nodes.length): ScheduleResult & { processed: number; nodeIndex?: number } {
  const at = Array.isArray(nodes) ? (i: number) => nodes[i] : (i: number) => (nodes as NodeInfoList).get(i)
  const groups = new Map<string, Decision['rejected'][number]>()
  const rejections: string[][] = []
  const scored: Decision['scored'] = { nodes: [], total: [], byPlugin: Object.fromEntries(profile.scores.map((s) => [s.plugin.name, []])) }
  let best: { name: string; index: number; total: number; pods: number } | undefined
  let processed = 0
  let feasible = 0
  for (let i = 0; i < nodes.length && feasible < feasibleToFind; i++) {
    const index = (start + i) % nodes.length
    const info = at(index)
    processed++
    const rejected = runFilters(profile, pod, info)
    if (rejected) {
      const reasons = rejected.status.code === 'Unschedulable' ? rejected.status.reasons : []
      const id = `${rejected.plugin}\0${reasons.join('\0')}`
      let g = groups.get(id)
      if (!g) groups.set(id, (g = { plugin: rejected.plugin, reasons, nodes: [] }))
      g.nodes.push(info.name)
      rejections.push(reasons)
      continue
    }
    feasible++
    const { scores, total } = runScores(profile, pod, info)
    scored.nodes.push(info.name)
    scored.total.push(total)
    for (const [plugin, s] of Object.entries(scores)) scored.byPlugin[plugin].push(s)
    if (!best || total > best.total || (total === best.total && info.podCount < best.pods)) best = { name: info.name, index, total, pods: info.podCount }
  }
  const rejected = [...groups.values()]
  if (best) return { nodeName: best.name, nodeIndex: best.index, rejected, scored, processed }
  return { message: fitErrorMessage(nodes.length, rejections), rejected, scored, processed }
}

/** NodeInfos for one attempt, in name order, from the per-node usage kept in context. */
export function buildNodeInfos(ctx: Pick<SchedulerContext, 'nodes' | 'nodeNames' | 'usage'>): NodeInfo[] {
  return ctx.nodeNames.map((name) => newNodeInfo(lookup(ctx.nodes, name)!, lookup(ctx.usage, name)))
}

/** The nodes of an attempt by index (name order), for lists built as they are read. */
export interface NodeInfoList {
  readonly length: number
  get(index: number): NodeInfo
}

/**
 * The nodes of one scheduling cycle: the context's NodeInfos, and a copy of each node a placement
 * of this cycle counted a pod on (the context's infos are shared and never changed in place).
 */
class CycleNodes implements NodeInfoList {
  private readonly placed = new Map<number, NodeInfo>()

  /** `infos` must not change during the cycle (a fresh draft's lists are the context's). */
  constructor(private readonly infos: readonly NodeInfo[]) {}

  get length(): number {
    return this.infos.length
  }
  get(index: number): NodeInfo {
    return this.placed.get(index) ?? this.infos[index]
  }
  place(index: number, pod: Pod): void {
    const info = { ...this.get(index) }
    addPod(info, pod)
    this.placed.set(index, info)
  }
}

// ---------------------------------------------------------------------------------------------
// Transitions as pure functions over a copy-on-write draft of the context.

type Effect =
  | { kind: 'emit'; command: SchedulerCommand }
  | { kind: 'cancel'; id: string }
  | { kind: 'raise'; event: SchedulerEvent; id: string; delay: number | 'podMaxInUnschedulablePodsDuration' }

const backoffTimer = (key: string) => `backoff:${key}`
const unschedulableTimer = (key: string) => `unschedulable:${key}`

/**
 * A draft of the next context: tables and lists are copied on their first write in the draft
 * (a table only along the path to the key), so an event costs what it touches. Effects are
 * collected in order and become XState actions.
 */
class Draft {
  readonly ctx: SchedulerContext
  readonly effects: Effect[] = []
  private copied = new Set<ListName | 'nodeInfos'>()
  private readonly tables = new TableEditor()
  private activeKeys?: Set<string>

  constructor(base: SchedulerContext) {
    this.ctx = { ...base }
  }

  get<K extends TableName>(table: K, key: string): TableTypes[K] | undefined {
    return lookup(this.ctx[table] as Table<TableTypes[K]>, key)
  }
  has(table: TableName, key: string): boolean {
    return this.get(table, key) !== undefined
  }
  set<K extends TableName>(table: K, key: string, value: TableTypes[K] | undefined): void {
    const tables = this.ctx as unknown as Record<TableName, Table<TableTypes[K]>>
    tables[table] = this.tables.set(tables[table], key, value)
  }
  delete(table: TableName, key: string): void {
    this.set(table, key, undefined)
  }
  /** Empties a table at once. */
  clear(table: TableName): void {
    ;(this.ctx as unknown as Record<TableName, Table<unknown>>)[table] = emptyTable()
  }
  list(name: ListName): string[] {
    if (!this.copied.has(name)) {
      this.ctx[name] = [...this.ctx[name]]
      this.copied.add(name)
    }
    return this.ctx[name]
  }
  /** Whether `key` is in the active queue: a set made once per draft (a burst queues hundreds of pods). */
  isActive(key: string): boolean {
    return (this.activeKeys ??= new Set(this.ctx.active)).has(key)
  }
  addActive(key: string): void {
    if (this.isActive(key)) return
    this.list('active').push(key)
    this.activeKeys!.add(key)
  }
  removeActive(key: string): void {
    if (!this.isActive(key)) return
    const active = this.list('active')
    active.splice(active.indexOf(key), 1)
    this.activeKeys!.delete(key)
  }
  clearActive(): void {
    this.list('active').length = 0
    this.activeKeys = new Set()
  }
  infos(): NodeInfo[] {
    if (!this.copied.has('nodeInfos')) {
      this.ctx.nodeInfos = this.ctx.nodeInfos.slice()
      this.copied.add('nodeInfos')
    }
    return this.ctx.nodeInfos as NodeInfo[]
  }

  emit(command: SchedulerCommand): void {
    this.effects.push({ kind: 'emit', command })
  }
  /** Arms a delayed internal event, replacing the one with the same id (XState's scheduler does not). */
  arm(id: string, event: SchedulerEvent, delay: number | 'podMaxInUnschedulablePodsDuration'): void {
    this.effects.push({ kind: 'cancel', id }, { kind: 'raise', event, id, delay })
  }
  cancel(id: string): void {
    this.effects.push({ kind: 'cancel', id })
  }
}

const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
const isOurs = (pod: Pod, config: SchedulerConfig) => (pod.spec?.schedulerName || 'default-scheduler') === config.schedulerName

/** Whether an update could change where the pod fits (`isPodUpdated`: status and bookkeeping ignored). */
function podSchedulingChanged(a: Pod, b: Pod): boolean {
  const view = (p: Pod) => JSON.stringify([p.spec, p.metadata?.labels, p.metadata?.annotations])
  return view(a) !== view(b)
}

/** Whether a node update could change what fits on it (`nodeSchedulingPropertiesChange`). */
function nodeSchedulingChanged(a: Node, b: Node): boolean {
  const view = (n: Node) =>
    JSON.stringify([n.spec?.unschedulable, n.spec?.taints, n.metadata?.labels, n.status?.allocatable, n.status?.capacity, readyStatus(n)])
  return view(a) !== view(b)
}

// --- the pod cache and per-node usage: usage[n] is the sum over cached pods counted on n.

function adjustUsage(d: Draft, nodeName: string, pod: Pod, sign: 1 | -1): void {
  const next = withPod(d.get('usage', nodeName) ?? emptyUsage, pod, sign)
  if (next.pods === 0) d.delete('usage', nodeName)
  else d.set('usage', nodeName, next)
  refreshInfo(d, nodeName)
}

/** Where `name` is, or would be inserted, in the sorted `names`. */
function nameIndex(names: readonly string[], name: string): number {
  let lo = 0
  let hi = names.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (names[mid] < name) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The NodeInfo of a known node again, after its Node or its usage changed. */
function refreshInfo(d: Draft, name: string): void {
  const node = d.get('nodes', name)
  if (!node) return
  const i = nameIndex(d.ctx.nodeNames, name)
  const prev = d.ctx.nodeInfos[i]
  const usage = d.get('usage', name) ?? emptyUsage
  // The same Node: only the counts changed; its allocatable is parsed once.
  d.infos()[i] =
    prev && prev.node === node
      ? { ...prev, podCount: usage.pods, requested: usage.requested, nonZeroRequested: usage.nonZeroRequested }
      : newNodeInfo(node, usage)
}

function putPod(d: Draft, key: string, entry: CachedPod): void {
  const prev = d.get('pods', key)
  if (prev?.countedOn) adjustUsage(d, prev.countedOn, prev.pod, -1)
  d.set('pods', key, entry)
  if (entry.countedOn) adjustUsage(d, entry.countedOn, entry.pod, 1)
}

function dropPod(d: Draft, key: string): CachedPod | undefined {
  const prev = d.get('pods', key)
  if (!prev) return undefined
  if (prev.countedOn) adjustUsage(d, prev.countedOn, prev.pod, -1)
  d.delete('pods', key)
  return prev
}

/** Counts a cached pod on `nodeName`, or on no node. */
function countOn(d: Draft, key: string, nodeName: string | undefined): void {
  const entry = d.get('pods', key)
  if (entry && entry.countedOn !== nodeName) putPod(d, key, { pod: entry.pod, rev: entry.rev, ...(nodeName ? { countedOn: nodeName } : {}) })
}

// --- queues

/** Which queue a pending pod is in. */
function queueOf(d: Draft, key: string): 'active' | 'assumed' | 'unschedulable' | 'backoff' | 'parked' {
  if (d.has('assumed', key)) return 'assumed'
  if (d.has('unschedulable', key)) return 'unschedulable'
  if (d.has('backoff', key)) return 'backoff'
  if (d.isActive(key)) return 'active'
  return 'parked'
}

function pushActive(d: Draft, key: string): void {
  d.addActive(key)
}

/** Forgets a pod's queue position, pending record and timers. Returns the assumption it dropped (the caller re-counts usage). */
function dequeue(d: Draft, key: string): Assumption | undefined {
  const assumption = d.get('assumed', key)
  if (assumption) d.delete('assumed', key)
  if (d.has('unschedulable', key)) {
    d.delete('unschedulable', key)
    d.cancel(unschedulableTimer(key))
  }
  if (d.has('backoff', key)) {
    d.delete('backoff', key)
    d.cancel(backoffTimer(key))
  }
  d.removeActive(key)
  d.delete('pending', key)
  return assumption
}

/** A cluster change that may let unschedulable pods fit: all of them go back to active (`MoveAllToActiveOrBackoffQueue`). */
function moveAllToActive(d: Draft): void {
  const keys = tableKeys(d.ctx.unschedulable)
  if (keys.length === 0) return
  d.clear('unschedulable')
  for (const key of keys) {
    d.cancel(unschedulableTimer(key))
    pushActive(d, key)
  }
}

function patchPending(d: Draft, key: string, patch: Partial<PendingPod>): void {
  const p = d.get('pending', key)
  if (p) d.set('pending', key, { ...p, ...patch })
}

// --- event handlers

/** Removes a pod from the cache and the queues; a pod that was counted on a node frees room. */
function removePod(d: Draft, key: string): void {
  const prev = dropPod(d, key)
  dequeue(d, key)
  if (prev?.countedOn) moveAllToActive(d)
}

function podUpserted(d: Draft, pod: Pod, rev: number): void {
  const key = podKey(pod)
  const prev = d.get('pods', key)
  // Same name, new object: the informer saw a delete and a create as one change.
  if (prev && prev.pod.metadata?.uid !== pod.metadata?.uid) removePod(d, key)
  if (isTerminal(pod)) {
    // Kubernetes' scheduler lists pods with `status.phase!=Succeeded,status.phase!=Failed`.
    removePod(d, key)
    return
  }
  const before = d.get('pods', key)
  const bound = pod.spec?.nodeName
  if (bound) {
    // Bound: by our BindPod, or by other means. Either way no longer ours to place.
    const assumption = dequeue(d, key)
    putPod(d, key, { pod, rev, countedOn: bound })
    if (assumption && assumption.nodeName !== bound) moveAllToActive(d)
    return
  }
  if (!isOurs(pod, d.ctx.config) || pod.metadata?.deletionTimestamp) {
    const assumption = dequeue(d, key)
    putPod(d, key, { pod, rev })
    if (assumption) moveAllToActive(d)
    return
  }
  const assumption = d.get('assumed', key)
  putPod(d, key, { pod, rev, ...(assumption ? { countedOn: assumption.nodeName } : {}) })
  if (!d.has('pending', key)) {
    d.set('pending', key, { cause: rev, attempts: 0 })
    pushActive(d, key)
    return
  }
  switch (queueOf(d, key)) {
    case 'unschedulable':
      if (before && podSchedulingChanged(before.pod, pod)) {
        d.delete('unschedulable', key)
        d.cancel(unschedulableTimer(key))
        patchPending(d, key, { cause: rev })
        pushActive(d, key)
      }
      return
    case 'parked':
      patchPending(d, key, { cause: rev })
      pushActive(d, key)
      return
    case 'active':
    case 'assumed':
    case 'backoff':
      // Active: the next cycle reads the new version. Assumed: the binding's result decides.
      // Backoff: the timer decides.
      return
  }
}

function nodeUpserted(d: Draft, node: Node): void {
  const name = node.metadata?.name ?? ''
  const prev = d.get('nodes', name)
  d.set('nodes', name, node)
  if (!prev) {
    const i = nameIndex(d.ctx.nodeNames, name)
    d.list('nodeNames').splice(i, 0, name)
    d.infos().splice(i, 0, newNodeInfo(node, d.get('usage', name)))
  } else refreshInfo(d, name)
  if (!prev || nodeSchedulingChanged(prev, node)) moveAllToActive(d)
}

function nodeRemoved(d: Draft, name: string): void {
  if (d.has('nodes', name)) {
    d.delete('nodes', name)
    const i = nameIndex(d.ctx.nodeNames, name)
    d.list('nodeNames').splice(i, 1)
    d.infos().splice(i, 1)
  }
  moveAllToActive(d)
}

function bindSucceeded(d: Draft, key: string, uid: string | undefined): void {
  const a = d.get('assumed', key)
  if (!a || (uid !== undefined && a.uid !== uid)) return
  // The assumption stays until the informer shows spec.nodeName: until then it is what counts.
  patchPending(d, key, { attempts: 0 })
}

function bindFailed(d: Draft, key: string, reason: string, retryable: boolean, uid: string | undefined): void {
  const a = d.get('assumed', key)
  if (!a || (uid !== undefined && a.uid !== uid)) return
  d.delete('assumed', key)
  countOn(d, key, undefined)
  const decision = d.get('decisions', key)
  if (decision && decision.rev === a.rev) d.set('decisions', key, { ...decision, bindError: reason })
  moveAllToActive(d) // the assumed requests are released
  const p = d.get('pending', key)
  if (!p) return
  const cached = d.get('pods', key)
  // A refusal for good waits for the informer, unless it already brought a newer version.
  if (!retryable && (!cached || cached.rev === a.rev)) return
  const attempts = p.attempts + 1
  patchPending(d, key, { attempts })
  d.set('backoff', key, true)
  d.arm(backoffTimer(key), { type: 'BACKOFF_EXPIRED', key }, backoffDuration(attempts, d.ctx.config))
}

function backoffExpired(d: Draft, key: string): void {
  if (!d.has('backoff', key)) return
  d.delete('backoff', key)
  pushActive(d, key)
}

function unschedulableTimeout(d: Draft, key: string): void {
  if (!d.has('unschedulable', key)) return
  d.delete('unschedulable', key)
  pushActive(d, key)
}

function recordDecision(d: Draft, key: string, decision: Decision): void {
  const order = d.list('decisionOrder')
  if (d.has('decisions', key)) order.splice(order.indexOf(key), 1)
  d.set('decisions', key, decision)
  order.push(key)
  while (order.length > d.ctx.config.decisionHistory) d.delete('decisions', order.shift()!)
}

const priority = (pod: Pod | undefined) => pod?.spec?.priority ?? 0

/** One scheduling cycle: every active pod, highest priority first, against one snapshot in which each placement counts for the next. */
function scheduleActive(d: Draft, profile: Profile): void {
  const nodes = new CycleNodes(d.ctx.nodeInfos)
  const queue = [...d.ctx.active].sort((a, b) => priority(d.get('pods', b)?.pod) - priority(d.get('pods', a)?.pod))
  d.clearActive()
  for (const key of queue) {
    const entry = d.get('pods', key)
    const pending = d.get('pending', key)
    if (!entry || !pending) continue
    const { pod, rev } = entry
    const attempt = ++d.ctx.attempts
    const result = schedulePod(profile, pod, nodes, d.ctx.nextStartNodeIndex % Math.max(1, nodes.length), numFeasibleNodesToFind(nodes.length))
    d.ctx.nextStartNodeIndex = nodes.length === 0 ? 0 : (d.ctx.nextStartNodeIndex + result.processed) % nodes.length
    const namespace = pod.metadata?.namespace ?? 'default'
    const name = pod.metadata?.name ?? ''
    const uid = pod.metadata?.uid
    const { rejected, scored } = result
    if (result.nodeName) {
      recordDecision(d, key, { uid, rev, attempt, rejected, scored, outcome: { nodeName: result.nodeName } })
      d.set('assumed', key, { nodeName: result.nodeName, rev, uid })
      countOn(d, key, result.nodeName)
      nodes.place(result.nodeIndex!, pod)
      d.emit({ type: 'BindPod', namespace, name, uid, nodeName: result.nodeName, cause: pending.cause })
      continue
    }
    const message = result.message ?? ''
    recordDecision(d, key, { uid, rev, attempt, rejected, scored, outcome: { message } })
    d.set('unschedulable', key, true)
    d.arm(unschedulableTimer(key), { type: 'UNSCHEDULABLE_TIMEOUT', key }, 'podMaxInUnschedulablePodsDuration')
    if (pending.reported !== message) {
      patchPending(d, key, { reported: message })
      d.emit({ type: 'PodUnschedulable', namespace, name, uid, message, cause: pending.cause })
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The machine.

/** The subset of XState's `enqueue` a draft needs. */
interface Enqueue {
  assign(ctx: SchedulerContext): void
  emit(command: SchedulerCommand): void
  cancel(id: string): void
  raise(event: SchedulerEvent, options: { id: string; delay: number | 'podMaxInUnschedulablePodsDuration' }): void
}

function commit(enqueue: Enqueue, context: SchedulerContext, change: (d: Draft) => void): void {
  const d = new Draft(context)
  change(d)
  enqueue.assign(d.ctx)
  for (const e of d.effects) {
    if (e.kind === 'emit') enqueue.emit(e.command)
    else if (e.kind === 'cancel') enqueue.cancel(e.id)
    else enqueue.raise(e.event, { id: e.id, delay: e.delay })
  }
}

/** Every event type maps to its action: adding an event to `SchedulerEvent` fails to compile until it is handled here. */
const handlers = {
  POD_UPSERTED: { actions: 'trackPod' },
  POD_REMOVED: { actions: 'forgetPod' },
  PODS_CHANGED: { actions: 'trackPods' },
  NODE_UPSERTED: { actions: 'trackNode' },
  NODE_REMOVED: { actions: 'forgetNode' },
  BIND_SUCCEEDED: { actions: 'confirmBinding' },
  BIND_FAILED: { actions: 'backOffBinding' },
  BACKOFF_EXPIRED: { actions: 'retryAfterBackoff' },
  UNSCHEDULABLE_TIMEOUT: { actions: 'retryUnschedulable' },
} as const satisfies { [K in SchedulerEvent['type']]: { actions: string } }

export function createSchedulerMachine(profile: Profile = defaultProfile) {
  return setup({
    types: {
      context: {} as SchedulerContext,
      events: {} as SchedulerEvent,
      emitted: {} as SchedulerCommand,
      input: {} as Partial<SchedulerConfig> | undefined,
    },
    actions: {
      trackPod: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'POD_UPSERTED')
        commit(enqueue, context, (d) => podUpserted(d, event.pod, event.rev))
      }),
      trackPods: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'PODS_CHANGED')
        commit(enqueue, context, (d) => {
          for (const c of event.changes) 'removed' in c ? removePod(d, c.removed) : podUpserted(d, c.pod, c.rev)
        })
      }),
      forgetPod: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'POD_REMOVED')
        commit(enqueue, context, (d) => removePod(d, event.key))
      }),
      trackNode: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'NODE_UPSERTED')
        commit(enqueue, context, (d) => nodeUpserted(d, event.node))
      }),
      forgetNode: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'NODE_REMOVED')
        commit(enqueue, context, (d) => nodeRemoved(d, event.name))
      }),
      confirmBinding: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'BIND_SUCCEEDED')
        commit(enqueue, context, (d) => bindSucceeded(d, event.key, event.uid))
      }),
      backOffBinding: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'BIND_FAILED')
        commit(enqueue, context, (d) => bindFailed(d, event.key, event.reason, event.retryable, event.uid))
      }),
      retryAfterBackoff: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'BACKOFF_EXPIRED')
        commit(enqueue, context, (d) => backoffExpired(d, event.key))
      }),
      retryUnschedulable: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'UNSCHEDULABLE_TIMEOUT')
        commit(enqueue, context, (d) => unschedulableTimeout(d, event.key))
      }),
      scheduleCycle: enqueueActions(({ context, enqueue }) => {
        commit(enqueue, context, (d) => scheduleActive(d, profile))
      }),
    },
    guards: {
      hasActivePods: ({ context }) => context.active.length > 0,
    },
    delays: {
      podMaxInUnschedulablePodsDuration: ({ context }) => context.config.podMaxInUnschedulablePodsDuration,
    },
  }).createMachine({
    id: 'scheduler',
    context: ({ input }) => initialContext(input),
    initial: 'running',
    states: {
      running: {
        // Whenever pods are waiting in the active queue, a cycle places all of them.
        always: { guard: 'hasActivePods', actions: 'scheduleCycle' },
        on: handlers,
      },
    },
  })
}

export const schedulerMachine = createSchedulerMachine()
export type SchedulerMachine = typeof schedulerMachine
