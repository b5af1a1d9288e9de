import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { assertEvent, enqueueActions, setup } from 'xstate'
import { addPod, fitErrorMessage, newNodeInfo, runFilters, runScores, type NodeInfo, type NodeVerdict, type Profile } from './framework.js'
import { defaultProfile } from './plugins/index.js'
import { readyStatus } from './plugins/node-ready.js'

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

/** The last scheduling attempt of one pod, for `kstate explain pod/NAME`. */
export interface Decision {
  uid: string | undefined
  /** Revision of the pod version that was scheduled. */
  rev: number
  /** The scheduler's attempt counter at the time: orders decisions across pods. */
  attempt: number
  /** Per node: the filter that rejected it and why, or its scores per plugin. */
  nodes: Record<string, NodeVerdict>
  outcome: { nodeName: string } | { message: string }
  /** Why the binding that followed failed, if it did. */
  bindError?: string
}

export interface SchedulerContext {
  config: SchedulerConfig
  /** name → Node. */
  nodes: Record<string, Node>
  /** `namespace/name` → every live, non-terminal pod (bound ones count against their node). */
  pods: Record<string, { pod: Pod; rev: number }>
  /** Pods this scheduler owns that are not bound yet. */
  pending: Record<string, PendingPod>
  /** Active queue, in arrival order (a cycle sorts by priority, stable). */
  active: string[]
  assumed: Record<string, Assumption>
  unschedulable: Record<string, true>
  backoff: Record<string, true>
  /** Last decision per pod, at most `config.decisionHistory` pods; `decisionOrder` oldest first. */
  decisions: Record<string, Decision>
  decisionOrder: string[]
  /** Scheduling attempts made so far. */
  attempts: number
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
    nodes: {},
    pods: {},
    pending: {},
    active: [],
    assumed: {},
    unschedulable: {},
    backoff: {},
    decisions: {},
    decisionOrder: [],
    attempts: 0,
  }
}

// ---------------------------------------------------------------------------------------------
// The scheduling attempt: filter every node, score the feasible ones, pick the best.

export interface ScheduleResult {
  /** The chosen node, or undefined when none is feasible. */
  nodeName?: string
  /** FitError message when no node is feasible. */
  message?: string
  nodes: Record<string, NodeVerdict>
}

/**
 * One attempt for one pod over `nodes` (sorted by name). The highest total wins; ties go to the
 * first node by name (Kubernetes picks at random among ties; kstate stays reproducible).
 */
export function schedulePod(profile: Profile, pod: Pod, nodes: readonly NodeInfo[]): ScheduleResult {
  const verdicts: Record<string, NodeVerdict> = {}
  const rejections: string[][] = []
  let best: { name: string; total: number } | undefined
  for (const info of nodes) {
    const rejected = runFilters(profile, pod, info)
    if (rejected) {
      const reasons = rejected.status.code === 'Unschedulable' ? rejected.status.reasons : []
      verdicts[info.name] = { rejectedBy: rejected.plugin, reasons }
      rejections.push(reasons)
      continue
    }
    const scored = runScores(profile, pod, info)
    verdicts[info.name] = scored
    if (!best || scored.total > best.total) best = { name: info.name, total: scored.total }
  }
  if (best) return { nodeName: best.name, nodes: verdicts }
  return { message: fitErrorMessage(nodes.length, rejections), nodes: verdicts }
}

/** NodeInfos for one cycle, sorted by name: each node with the pods bound or assumed on it. */
export function buildNodeInfos(ctx: Pick<SchedulerContext, 'nodes' | 'pods' | 'assumed'>): NodeInfo[] {
  const byName = new Map<string, NodeInfo>()
  for (const name of Object.keys(ctx.nodes).sort()) byName.set(name, newNodeInfo(ctx.nodes[name]))
  for (const { pod } of Object.values(ctx.pods)) {
    const on = pod.spec?.nodeName
    const info = on ? byName.get(on) : undefined
    if (info) addPod(info, pod)
  }
  for (const [key, a] of Object.entries(ctx.assumed)) {
    const entry = ctx.pods[key]
    const info = byName.get(a.nodeName)
    if (entry && info && !entry.pod.spec?.nodeName) addPod(info, entry.pod)
  }
  return [...byName.values()]
}

// ---------------------------------------------------------------------------------------------
// Transitions as pure functions over a copy-on-write draft of the context.

type Collection = 'nodes' | 'pods' | 'pending' | 'active' | 'assumed' | 'unschedulable' | 'backoff' | 'decisions' | 'decisionOrder'

type Effect =
  | { kind: 'emit'; command: SchedulerCommand }
  | { kind: 'cancel'; id: string }
  | { kind: 'raise'; event: SchedulerEvent; id: string; delay: number | 'podMaxInUnschedulablePodsDuration' }

const backoffTimer = (key: string) => `backoff:${key}`
const unschedulableTimer = (key: string) => `unschedulable:${key}`

/**
 * A draft of the next context: collections are copied on first write, so an event touching one
 * pod costs O(size of the collections it touches), not of the whole context. Effects are
 * collected in order and become XState actions.
 */
class Draft {
  readonly ctx: SchedulerContext
  readonly effects: Effect[] = []
  private copied = new Set<Collection>()

  constructor(base: SchedulerContext) {
    this.ctx = { ...base }
  }

  write<K extends Collection>(k: K): SchedulerContext[K] {
    if (!this.copied.has(k)) {
      const v = this.ctx[k]
      this.ctx[k] = (Array.isArray(v) ? [...v] : { ...v }) as SchedulerContext[K]
      this.copied.add(k)
    }
    return this.ctx[k]
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

/** Which queue a pending pod is in. */
function queueOf(ctx: SchedulerContext, key: string): 'active' | 'assumed' | 'unschedulable' | 'backoff' | 'parked' {
  if (ctx.assumed[key]) return 'assumed'
  if (ctx.unschedulable[key]) return 'unschedulable'
  if (ctx.backoff[key]) return 'backoff'
  if (ctx.active.includes(key)) return 'active'
  return 'parked'
}

function pushActive(d: Draft, key: string): void {
  if (!d.ctx.active.includes(key)) d.write('active').push(key)
}

/** Forgets a pod's queue position and timers. Returns the assumption it dropped, if any. */
function dequeue(d: Draft, key: string): Assumption | undefined {
  const { ctx } = d
  const assumption = ctx.assumed[key]
  if (assumption) delete d.write('assumed')[key]
  if (ctx.unschedulable[key]) {
    delete d.write('unschedulable')[key]
    d.cancel(unschedulableTimer(key))
  }
  if (ctx.backoff[key]) {
    delete d.write('backoff')[key]
    d.cancel(backoffTimer(key))
  }
  if (ctx.active.includes(key)) d.write('active').splice(ctx.active.indexOf(key), 1)
  if (ctx.pending[key]) delete d.write('pending')[key]
  return assumption
}

/** A cluster change that may let unschedulable pods fit: all of them go back to active (`MoveAllToActiveOrBackoffQueue`). */
function moveAllToActive(d: Draft): void {
  const keys = Object.keys(d.ctx.unschedulable)
  if (keys.length === 0) return
  d.write('unschedulable')
  for (const key of keys) {
    delete d.ctx.unschedulable[key]
    d.cancel(unschedulableTimer(key))
    pushActive(d, key)
  }
}

function patchPending(d: Draft, key: string, patch: Partial<PendingPod>): void {
  const p = d.ctx.pending[key]
  if (p) d.write('pending')[key] = { ...p, ...patch }
}

/** Removes a pod from the cache and the queues; a pod that was counted on a node frees room. */
function removePod(d: Draft, key: string): void {
  const prev = d.ctx.pods[key]
  if (prev) delete d.write('pods')[key]
  const assumption = dequeue(d, key)
  if (prev?.pod.spec?.nodeName || assumption) moveAllToActive(d)
}

function podUpserted(d: Draft, pod: Pod, rev: number): void {
  const key = podKey(pod)
  const prev = d.ctx.pods[key]
  // Same name, new object: the informer saw a delete and a create as one change.
  if (prev && prev.pod.metadata?.uid !== pod.metadata?.uid) removePod(d, key)
  if (isTerminal(pod)) {
    // Kubernetes' scheduler lists pods with `status.phase!=Succeeded,status.phase!=Failed`.
    removePod(d, key)
    return
  }
  const before = d.ctx.pods[key]
  d.write('pods')[key] = { pod, rev }

  if (pod.spec?.nodeName) {
    // Bound: by our BindPod, or by other means. Either way no longer ours to place.
    const assumption = dequeue(d, key)
    if (assumption && assumption.nodeName !== pod.spec.nodeName) moveAllToActive(d)
    return
  }
  if (!isOurs(pod, d.ctx.config) || pod.metadata?.deletionTimestamp) {
    if (dequeue(d, key)) moveAllToActive(d)
    return
  }
  if (!d.ctx.pending[key]) {
    d.write('pending')[key] = { cause: rev, attempts: 0 }
    pushActive(d, key)
    return
  }
  switch (queueOf(d.ctx, key)) {
    case 'unschedulable':
      if (before && podSchedulingChanged(before.pod, pod)) {
        delete d.write('unschedulable')[key]
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
  const prev = d.ctx.nodes[name]
  d.write('nodes')[name] = node
  if (!prev || nodeSchedulingChanged(prev, node)) moveAllToActive(d)
}

function nodeRemoved(d: Draft, name: string): void {
  if (d.ctx.nodes[name]) delete d.write('nodes')[name]
  moveAllToActive(d)
}

function bindSucceeded(d: Draft, key: string, uid: string | undefined): void {
  const a = d.ctx.assumed[key]
  if (!a || (uid !== undefined && a.uid !== uid)) return
  // The assumption stays until the informer shows spec.nodeName: until then it is what counts.
  patchPending(d, key, { attempts: 0 })
}

function bindFailed(d: Draft, key: string, reason: string, retryable: boolean, uid: string | undefined): void {
  const a = d.ctx.assumed[key]
  if (!a || (uid !== undefined && a.uid !== uid)) return
  delete d.write('assumed')[key]
  const decision = d.ctx.decisions[key]
  if (decision && decision.rev === a.rev) d.write('decisions')[key] = { ...decision, bindError: reason }
  moveAllToActive(d) // the assumed requests are released
  const p = d.ctx.pending[key]
  if (!p) return
  const cached = d.ctx.pods[key]
  // A refusal for good waits for the informer, unless it already brought a newer version.
  if (!retryable && (!cached || cached.rev === a.rev)) return
  const attempts = p.attempts + 1
  patchPending(d, key, { attempts })
  d.write('backoff')[key] = true
  d.arm(backoffTimer(key), { type: 'BACKOFF_EXPIRED', key }, backoffDuration(attempts, d.ctx.config))
}

function backoffExpired(d: Draft, key: string): void {
  if (!d.ctx.backoff[key]) return
  delete d.write('backoff')[key]
  pushActive(d, key)
}

function unschedulableTimeout(d: Draft, key: string): void {
  if (!d.ctx.unschedulable[key]) return
  delete d.write('unschedulable')[key]
  pushActive(d, key)
}

function recordDecision(d: Draft, key: string, decision: Decision): void {
  const order = d.write('decisionOrder')
  const decisions = d.write('decisions')
  if (decisions[key]) order.splice(order.indexOf(key), 1)
  decisions[key] = decision
  order.push(key)
  while (order.length > d.ctx.config.decisionHistory) delete decisions[order.shift()!]
}

const priority = (pod: Pod | undefined) => pod?.spec?.priority ?? 0

/** One scheduling cycle: every active pod, highest priority first, against one snapshot in which each placement counts for the next. */
function scheduleActive(d: Draft, profile: Profile): void {
  const nodes = buildNodeInfos(d.ctx)
  const byName = new Map(nodes.map((n) => [n.name, n]))
  const queue = [...d.ctx.active].sort((a, b) => priority(d.ctx.pods[b]?.pod) - priority(d.ctx.pods[a]?.pod))
  d.write('active').length = 0
  for (const key of queue) {
    const entry = d.ctx.pods[key]
    const pending = d.ctx.pending[key]
    if (!entry || !pending) continue
    const { pod, rev } = entry
    const attempt = ++d.ctx.attempts
    const result = schedulePod(profile, pod, nodes)
    const namespace = pod.metadata?.namespace ?? 'default'
    const name = pod.metadata?.name ?? ''
    const uid = pod.metadata?.uid
    if (result.nodeName) {
      recordDecision(d, key, { uid, rev, attempt, nodes: result.nodes, outcome: { nodeName: result.nodeName } })
      d.write('assumed')[key] = { nodeName: result.nodeName, rev, uid }
      addPod(byName.get(result.nodeName)!, pod)
      d.emit({ type: 'BindPod', namespace, name, uid, nodeName: result.nodeName, cause: pending.cause })
      continue
    }
    const message = result.message ?? ''
    recordDecision(d, key, { uid, rev, attempt, nodes: result.nodes, outcome: { message } })
    d.write('unschedulable')[key] = true
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
