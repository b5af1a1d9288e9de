import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import { assertEvent, enqueueActions, setup } from 'xstate'
import { emptyTable, lookup, tableEntries, TableEditor, type Table } from '../../lib/sharded-table.js'
import { toleratesTaint } from '../../lib/tolerations.js'

/**
 * Taint-based eviction (Kubernetes 1.32 `pkg/controller/tainteviction/taint_eviction.go`, formerly
 * the NoExecuteTaintManager) as a pure XState machine: informer changes in, `EvictPod` commands out.
 *
 * For a pod bound to a node with NoExecute taints (`processPodOnNode`):
 * - a taint no toleration matches → evict at once;
 * - otherwise each taint's FIRST matching toleration counts (`GetMatchingTolerations`); if none of
 *   them has `tolerationSeconds` the pod stays forever and any pending eviction is cancelled;
 * - otherwise the pod is evicted when the earliest taint runs out: `since(taint) + tolerationSeconds`
 *   (≤ 0 means at once), where `since` is the taint's `timeAdded`, or when this controller first
 *   saw it. (Kubernetes counts from when it processed the update; `timeAdded` makes the deadline
 *   a fact of the log, so a restarted controller computes the same one.)
 * - A pending eviction created before this instant is KEPT as it is when the taints or the
 *   tolerations change and the pod is still tolerated for a while (Kubernetes: `CreatedAt` earlier
 *   than now → return). So swapping `not-ready` for `unreachable` keeps the deadline of the first
 *   taint, and a shorter `tolerationSeconds` does not bring it forward. Only the reported taint and
 *   cause follow the current taints.
 * - No NoExecute taint left (removed in time) cancels; so do the pod leaving the node, being
 *   deleted (`deletionTimestamp`), finishing, or being replaced (new uid).
 * - A deleted node forgets its taints but, as in Kubernetes, pending evictions of its pods run on
 *   (pod updates leave them alone); the node coming back without NoExecute taints cancels them.
 *
 * Deadlines are data: every waiting eviction is an `(at, key)` entry of a sorted, chunked list in
 * context, and ONE delayed `DEADLINE_REACHED` is armed for the earliest. After a snapshot restore
 * (delayed events are not restored) the host sends `RESUMED` to re-arm it. Due evictions go out
 * 1,000 per step, the next step following at once (`EVICTIONS_PER_STEP`).
 *
 * An emitted eviction is `evicting` until the host answers: `EVICTED` (then `evicted` until the
 * informer shows the pod deleting or gone), or `EVICT_FAILED` — retried after a backoff when
 * retryable, dropped when not (404/409: the next version of the pod from the informer decides).
 *
 * Time is never read: `NODE_UPSERTED`, `POD_UPSERTED`, `EVICT_FAILED` and `RESUMED` carry the
 * host's `now`; a `DEADLINE_REACHED` fires at the `at` it carries.
 */

export interface TaintEvictionConfig {
  /** First retry of a failed eviction, ms; doubles per failure. */
  evictionRetryInitialMs: number
  /** Cap of the retry backoff, ms. */
  evictionRetryMaxMs: number
}

export const defaultTaintEvictionConfig: TaintEvictionConfig = {
  evictionRetryInitialMs: 1_000,
  evictionRetryMaxMs: 30_000,
}

/** Kubernetes' DisruptionTarget condition reason and message for this controller's evictions. */
export const EVICTION_REASON = 'DeletionByTaintManager'
export const EVICTION_MESSAGE = 'Taint manager: deleting due to NoExecute taint'

export type TaintEvictionEvent =
  /**
   * A node was added or changed (informer ADDED/MODIFIED); `rev` is the revision of that change.
   * `taintRevs` (by `taintId`) names the revision of the `NodeTainted` event that added a taint;
   * a taint first seen without one gets `rev`.
   */
  | { type: 'NODE_UPSERTED'; node: Node; rev: number; taintRevs?: Readonly<Record<string, number>>; now: number }
  | { type: 'NODE_REMOVED'; name: string }
  /** A pod was added or changed (informer ADDED/MODIFIED). */
  | { type: 'POD_UPSERTED'; pod: Pod; now: number }
  /** A pod is gone (informer DELETED); `key` is `namespace/name`. */
  | { type: 'POD_REMOVED'; key: string }
  /** The api-server accepted an `EvictPod`. `uid`, when given, must be the evicted pod's. */
  | { type: 'EVICTED'; key: string; uid?: string }
  /** The api-server refused an `EvictPod`; `retryable: false` when the pod changed or is gone (409, 404). */
  | { type: 'EVICT_FAILED'; key: string; uid?: string; retryable: boolean; now: number }
  /** Internal, delayed: the earliest deadline `at` is reached. */
  | { type: 'DEADLINE_REACHED'; at: number }
  /** Sent by the host after restoring a snapshot: re-arms the timer, re-sends evictions whose answer was lost. */
  | { type: 'RESUMED'; now: number }

/** Evict the pod (`evict` verb: DisruptionTarget condition + graceful deletion). Answer with EVICTED or EVICT_FAILED. */
export interface EvictPod {
  type: 'EvictPod'
  namespace: string
  name: string
  uid: string | undefined
  nodeName: string
  /** The NoExecute taint the pod is evicted for. */
  taint: { key: string; effect: string }
  /** Revision of the `NodeTainted` event that added `taint`. */
  cause: number
  reason: typeof EVICTION_REASON
  message: typeof EVICTION_MESSAGE
}

export type TaintEvictionCommand = EvictPod

/** A NoExecute taint of a node, with where it came from. */
export interface TrackedTaint {
  taint: Taint
  /** Revision of the event that added it (the eviction's `cause`). */
  rev: number
  /** Epoch ms the toleration countdown starts from: `timeAdded`, or when first seen. */
  since: number
}

/** A pod bound to a node, not deleting, not finished. */
export interface TrackedPod {
  namespace: string
  name: string
  uid: string | undefined
  nodeName: string
  tolerations: readonly Toleration[]
}

/**
 * - `waiting`: until `at` (a toleration runs out);
 * - `evicting`: `EvictPod` emitted, no answer yet;
 * - `evicted`: accepted; kept until the informer shows the pod deleting or gone, so it is not sent twice;
 * - `backoff`: refused, retried at `at`.
 */
export type EvictionPhase = 'waiting' | 'evicting' | 'evicted' | 'backoff'

export interface Eviction {
  phase: EvictionPhase
  /** When the eviction was decided (Kubernetes' `CreatedAt`): an older one is kept on updates. */
  createdAt: number
  /** When `EvictPod` is (re)sent, for `waiting` and `backoff`. */
  at: number
  taint: { key: string; effect: string }
  cause: number
  /** Refusals in a row: the exponent of the backoff. */
  attempts: number
}

/** `[at, podKey]`, ordered by `at`, then key. */
export type Deadline = readonly [at: number, key: string]

export { lookup, tableEntries, type Table } from '../../lib/sharded-table.js'

export interface TaintEvictionContext {
  config: TaintEvictionConfig
  /** Node name → its NoExecute taints in node order (empty for an untainted node). */
  nodes: Table<readonly TrackedTaint[]>
  /** `namespace/name` → every bound, live pod. */
  pods: Table<TrackedPod>
  /** Node name → the keys of the tracked pods bound to it. */
  nodePods: Table<readonly string[]>
  /** Pod key → its eviction, if one is pending or in flight. */
  evictions: Table<Eviction>
  /** Deadlines of `waiting` and `backoff` evictions, sorted, in chunks of at most 2 × CHUNK entries, copied on write chunk by chunk. */
  deadlines: readonly (readonly Deadline[])[]
  /** The `at` of the armed `DEADLINE_REACHED`, or null when none is armed. */
  timerAt: number | null
}

export function initialContext(config: Partial<TaintEvictionConfig> = {}): TaintEvictionContext {
  return { config: { ...defaultTaintEvictionConfig, ...config }, nodes: emptyTable(), pods: emptyTable(), nodePods: emptyTable(), evictions: emptyTable(), deadlines: [], timerAt: null }
}

export const podKey = (pod: Pod): string => `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`

/** Taints are unique per key and effect (`MatchTaint`): the key of `taintRevs`. */
export const taintId = (t: { key: string; effect: string }): string => `${t.key}:${t.effect}`

/** Failed evictions in a row → wait before the next attempt: initial × 2^(attempts-1), capped. */
export function retryDelay(attempts: number, config: TaintEvictionConfig): number {
  let d = config.evictionRetryInitialMs
  for (let i = 1; i < attempts && d < config.evictionRetryMaxMs; i++) d *= 2
  return Math.min(d, config.evictionRetryMaxMs)
}

// ---------------------------------------------------------------------------------------------
// The decision for one pod, `processPodOnNode` without the bookkeeping.

export type Verdict =
  /** No NoExecute taint, or every matching toleration is forever: nothing to do, cancel what is pending. */
  | { kind: 'tolerated' }
  /** `taint` is not tolerated: evict now. */
  | { kind: 'untolerated'; taint: TrackedTaint }
  /** Tolerated until `at`, when `taint`'s toleration runs out first. */
  | { kind: 'until'; at: number; taint: TrackedTaint }

export function evaluateTaints(taints: readonly TrackedTaint[], tolerations: readonly Toleration[]): Verdict {
  let first: { at: number; taint: TrackedTaint } | undefined
  for (const t of taints) {
    const used = tolerations.find((tol) => toleratesTaint(tol, t.taint))
    if (!used) return { kind: 'untolerated', taint: t }
    const seconds = used.tolerationSeconds
    if (seconds === undefined || seconds === null) continue
    const at = t.since + Math.max(0, seconds) * 1000
    if (!first || at < first.at) first = { at, taint: t }
  }
  return first ? { kind: 'until', ...first } : { kind: 'tolerated' }
}

/** `timeAdded` as epoch ms, never later than `now`; `now` when absent or unreadable. */
function sinceOf(t: Taint, now: number): number {
  const at = t.timeAdded ? Date.parse(t.timeAdded) : NaN
  return Number.isFinite(at) ? Math.min(at, now) : now
}

const isFinished = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
const isQueued = (e: Eviction) => e.phase === 'waiting' || e.phase === 'backoff'

// ---------------------------------------------------------------------------------------------
// Tables and the deadline list, updated copy-on-write through a draft of the next context.

/** Deadline chunks are split when they pass 2 × CHUNK entries. */
const CHUNK = 256
const TIMER_ID = 'deadline'
/**
 * Evictions sent per timer step; the rest follow at once in further steps (delay 0). One XState
 * step emitting tens of thousands of events is quadratic (its deferred queue is drained with
 * `Array.shift`), and the api-server gets the requests in waves instead of one burst.
 */
const EVICTIONS_PER_STEP = 1000

/** Compares a deadline with `(at, key)`. */
function compare(d: Deadline, at: number, key: string): number {
  return d[0] !== at ? d[0] - at : d[1] < key ? -1 : d[1] > key ? 1 : 0
}

/** First index in `chunk` whose entry is not before `(at, key)`. */
function position(chunk: readonly Deadline[], at: number, key: string): number {
  let lo = 0
  let hi = chunk.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (compare(chunk[mid], at, key) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

interface TableTypes {
  nodes: readonly TrackedTaint[]
  pods: TrackedPod
  nodePods: readonly string[]
  evictions: Eviction
}
type TableName = keyof TableTypes

class Draft {
  readonly ctx: TaintEvictionContext
  readonly commands: EvictPod[] = []
  private copied = new Set<string>()
  /** Arrays (deadline chunks) this draft made and may change in place. */
  private owned = new Set<readonly unknown[]>()
  private readonly tables = new TableEditor()

  constructor(base: TaintEvictionContext) {
    this.ctx = { ...base }
  }

  get<K extends TableName>(table: K, key: string): TableTypes[K] | undefined {
    return lookup(this.ctx[table] as Table<TableTypes[K]>, key)
  }
  set<K extends TableName>(table: K, key: string, value: TableTypes[K] | undefined): void {
    const tables = this.ctx as unknown as Record<TableName, Table<TableTypes[K]>>
    tables[table] = this.tables.set(tables[table], key, value)
  }
  delete(table: TableName, key: string): void {
    this.set(table, key, undefined)
  }

  // --- deadlines

  minDeadline(): number | null {
    return this.ctx.deadlines[0]?.[0]?.[0] ?? null
  }

  addDeadline(at: number, key: string): void {
    const list = this.chunks()
    if (list.length === 0) {
      list.push(this.own([[at, key]]))
      return
    }
    const i = this.chunkFor(at, key)
    const chunk = this.ownChunk(i)
    chunk.splice(position(chunk, at, key), 0, [at, key])
    if (chunk.length > 2 * CHUNK) list.splice(i + 1, 0, this.own(chunk.splice(CHUNK)))
  }

  removeDeadline(at: number, key: string): void {
    if (this.ctx.deadlines.length === 0) return
    const i = this.chunkFor(at, key)
    const p = position(this.ctx.deadlines[i], at, key)
    const found = this.ctx.deadlines[i][p]
    if (!found || compare(found, at, key) !== 0) return
    const chunk = this.ownChunk(i)
    chunk.splice(p, 1)
    if (chunk.length === 0) this.chunks().splice(i, 1)
  }

  /** Removes and returns the keys of the first `limit` deadlines at or before `t`, in order. */
  takeDue(t: number, limit: number): string[] {
    const list = this.ctx.deadlines
    const keys: string[] = []
    let whole = 0
    while (whole < list.length && list[whole][list[whole].length - 1][0] <= t && keys.length + list[whole].length <= limit) {
      for (const d of list[whole]) keys.push(d[1])
      whole++
    }
    let partial = 0
    const next = list[whole]
    if (next) while (partial < next.length && next[partial][0] <= t && keys.length < limit) keys.push(next[partial++][1])
    if (keys.length === 0) return keys
    const chunks = this.chunks()
    chunks.splice(0, whole)
    if (partial > 0) chunks[0] = this.own(chunks[0].slice(partial))
    return keys
  }

  private chunks(): Deadline[][] {
    if (!this.copied.has('deadlines')) {
      this.ctx.deadlines = [...this.ctx.deadlines]
      this.copied.add('deadlines')
    }
    return this.ctx.deadlines as Deadline[][]
  }
  private own<T extends unknown[]>(array: T): T {
    this.owned.add(array)
    return array
  }
  private ownChunk(i: number): Deadline[] {
    const list = this.chunks()
    if (!this.owned.has(list[i])) list[i] = this.own([...list[i]])
    return list[i]
  }
  /** The chunk that holds or would hold `(at, key)`: the last whose first entry is not after it, else the first. */
  private chunkFor(at: number, key: string): number {
    const list = this.ctx.deadlines
    let lo = 0
    let hi = list.length - 1
    let found = 0
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (compare(list[mid][0], at, key) <= 0) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }
}

// ---------------------------------------------------------------------------------------------
// Transitions.

function dropEviction(d: Draft, key: string): void {
  const e = d.get('evictions', key)
  if (!e) return
  if (isQueued(e)) d.removeDeadline(e.at, key)
  d.delete('evictions', key)
}

function sendEviction(d: Draft, key: string, e: Eviction): void {
  const p = d.get('pods', key)
  if (!p) return
  d.set('evictions', key, { ...e, phase: 'evicting' })
  const { namespace, name, uid, nodeName } = p
  d.commands.push({ type: 'EvictPod', namespace, name, uid, nodeName, taint: e.taint, cause: e.cause, reason: EVICTION_REASON, message: EVICTION_MESSAGE })
}

const taintRef = (t: TrackedTaint) => ({ key: t.taint.key, effect: t.taint.effect })

/** `processPodOnNode` for a tracked pod against its node's current NoExecute taints. */
function reconcilePod(d: Draft, key: string, now: number): void {
  const p = d.get('pods', key)
  if (!p) return
  const e = d.get('evictions', key)
  // Sent (or accepted): the informer's next version of the pod settles it.
  if (e && !isQueued(e)) return
  const taints = d.get('nodes', p.nodeName)
  // Untainted: the node's update cancelled what was pending. Unknown (deleted): Kubernetes'
  // `handlePodUpdate` leaves pending work alone.
  if (!taints || taints.length === 0) return
  const v = evaluateTaints(taints, p.tolerations)
  switch (v.kind) {
    case 'tolerated':
      dropEviction(d, key)
      return
    case 'untolerated':
      if (e?.phase === 'backoff') return
      dropEviction(d, key)
      sendEviction(d, key, { phase: 'evicting', createdAt: now, at: now, taint: taintRef(v.taint), cause: v.taint.rev, attempts: 0 })
      return
    case 'until': {
      if (e && e.createdAt < now) {
        // Kubernetes keeps an older scheduled eviction as it is; the report names the current taint.
        if (e.cause !== v.taint.rev || taintId(e.taint) !== taintId(v.taint.taint)) d.set('evictions', key, { ...e, taint: taintRef(v.taint), cause: v.taint.rev })
        return
      }
      dropEviction(d, key)
      const next: Eviction = { phase: 'waiting', createdAt: now, at: v.at, taint: taintRef(v.taint), cause: v.taint.rev, attempts: 0 }
      if (v.at <= now) {
        sendEviction(d, key, next)
        return
      }
      d.set('evictions', key, next)
      d.addDeadline(v.at, key)
      return
    }
  }
}

function forgetPod(d: Draft, key: string): void {
  const p = d.get('pods', key)
  if (!p) return
  dropEviction(d, key)
  const rest = (d.get('nodePods', p.nodeName) ?? []).filter((k) => k !== key)
  if (rest.length === 0) d.delete('nodePods', p.nodeName)
  else d.set('nodePods', p.nodeName, rest)
  d.delete('pods', key)
}

function podUpserted(d: Draft, pod: Pod, now: number): void {
  const key = podKey(pod)
  const uid = pod.metadata?.uid
  const nodeName = pod.spec?.nodeName
  const prev = d.get('pods', key)
  // Replaced, or moved off its node: whatever was pending was for the other one.
  if (prev && (prev.uid !== uid || prev.nodeName !== nodeName)) forgetPod(d, key)
  if (!nodeName || pod.metadata?.deletionTimestamp || isFinished(pod)) {
    forgetPod(d, key)
    return
  }
  if (!d.get('pods', key)) d.set('nodePods', nodeName, [...(d.get('nodePods', nodeName) ?? []), key])
  d.set('pods', key, { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', uid, nodeName, tolerations: pod.spec?.tolerations ?? [] })
  reconcilePod(d, key, now)
}

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect && (a.value ?? '') === (b.value ?? '') && a.timeAdded === b.timeAdded

function nodeUpserted(d: Draft, node: Node, rev: number, taintRevs: Readonly<Record<string, number>> | undefined, now: number): void {
  const name = node.metadata?.name ?? ''
  const prev = d.get('nodes', name)
  const noExecute = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute')
  // `NodeUpdated` in Kubernetes: a known node is looked at again only when its NoExecute taints changed.
  if (prev && noExecute.length === prev.length && noExecute.every((t, i) => sameTaint(t, prev[i].taint))) return
  const next = noExecute.map((taint): TrackedTaint => {
    const added = taintRevs?.[taintId(taint)]
    const known = added === undefined ? prev?.find((p) => sameTaint(p.taint, taint)) : undefined
    return known ?? { taint, rev: added ?? rev, since: sinceOf(taint, now) }
  })
  d.set('nodes', name, next)
  const keys = d.get('nodePods', name) ?? []
  if (next.length > 0) {
    for (const key of keys) reconcilePod(d, key, now)
    return
  }
  // No NoExecute taint left: every pending eviction on the node is cancelled.
  for (const key of keys) {
    const e = d.get('evictions', key)
    if (e && isQueued(e)) dropEviction(d, key)
  }
}

function deadlineReached(d: Draft, at: number): void {
  for (const key of d.takeDue(at, EVICTIONS_PER_STEP)) {
    const e = d.get('evictions', key)
    if (e && isQueued(e)) sendEviction(d, key, e)
  }
}

function evicted(d: Draft, key: string, uid: string | undefined): void {
  const e = d.get('evictions', key)
  if (e?.phase !== 'evicting' || (uid !== undefined && d.get('pods', key)?.uid !== uid)) return
  d.set('evictions', key, { ...e, phase: 'evicted', attempts: 0 })
}

function evictFailed(d: Draft, key: string, uid: string | undefined, retryable: boolean, now: number): void {
  const e = d.get('evictions', key)
  if (e?.phase !== 'evicting' || (uid !== undefined && d.get('pods', key)?.uid !== uid)) return
  if (!retryable) {
    d.delete('evictions', key)
    return
  }
  const attempts = e.attempts + 1
  const at = now + retryDelay(attempts, d.ctx.config)
  d.set('evictions', key, { ...e, phase: 'backoff', at, attempts })
  d.addDeadline(at, key)
}

function resumed(d: Draft, now: number): void {
  d.ctx.timerAt = null
  for (const [key, e] of tableEntries(d.ctx.evictions)) if (e.phase === 'evicting') sendEviction(d, key, e)
  deadlineReached(d, now)
}

// ---------------------------------------------------------------------------------------------
// The machine.

/** The subset of XState's `enqueue` a draft needs. */
interface Enqueue {
  assign(ctx: TaintEvictionContext): void
  emit(command: TaintEvictionCommand): void
  cancel(id: string): void
  raise(event: TaintEvictionEvent, options: { id: string; delay: number }): void
}

type Step<K extends TaintEvictionEvent['type']> = (d: Draft, e: Extract<TaintEvictionEvent, { type: K }>) => void

/** Every event type maps to its step: adding an event to `TaintEvictionEvent` fails to compile until it is handled here. */
const steps: { [K in TaintEvictionEvent['type']]: Step<K> } = {
  NODE_UPSERTED: (d, e) => nodeUpserted(d, e.node, e.rev, e.taintRevs, e.now),
  NODE_REMOVED: (d, e) => d.delete('nodes', e.name),
  POD_UPSERTED: (d, e) => podUpserted(d, e.pod, e.now),
  POD_REMOVED: (d, e) => forgetPod(d, e.key),
  EVICTED: (d, e) => evicted(d, e.key, e.uid),
  EVICT_FAILED: (d, e) => evictFailed(d, e.key, e.uid, e.retryable, e.now),
  DEADLINE_REACHED: (d, e) => {
    if (d.ctx.timerAt === e.at) d.ctx.timerAt = null // this one fired
    deadlineReached(d, e.at)
  },
  RESUMED: (d, e) => resumed(d, e.now),
}

/** The time an event brings, if any. */
function timeOf(e: TaintEvictionEvent): number | undefined {
  return 'now' in e ? e.now : e.type === 'DEADLINE_REACHED' ? e.at : undefined
}

function run(enqueue: Enqueue, context: TaintEvictionContext, event: TaintEvictionEvent): void {
  const d = new Draft(context)
  ;(steps[event.type] as Step<TaintEvictionEvent['type']>)(d, event)
  // One timer, for the earliest deadline. An event without a time only removes deadlines: the armed
  // timer may then fire early, find nothing due, and re-arm for the next one.
  const next = d.minDeadline()
  const now = timeOf(event)
  const armed = d.ctx.timerAt
  if (next !== armed && (next === null || now !== undefined)) {
    // Also when none is known to be armed: after a restore, one may be (XState's scheduler keeps
    // a second event with the same id instead of replacing the first).
    enqueue.cancel(TIMER_ID)
    if (next !== null) enqueue.raise({ type: 'DEADLINE_REACHED', at: next }, { id: TIMER_ID, delay: Math.max(0, next - now!) })
    d.ctx.timerAt = next
  }
  enqueue.assign(d.ctx)
  for (const c of d.commands) enqueue.emit(c)
}

/** Every event type maps to its action (named for inspection): a new event fails to compile until it is listed. */
const handlers = {
  NODE_UPSERTED: { actions: 'trackNode' },
  NODE_REMOVED: { actions: 'forgetNode' },
  POD_UPSERTED: { actions: 'trackPod' },
  POD_REMOVED: { actions: 'forgetPod' },
  EVICTED: { actions: 'confirmEviction' },
  EVICT_FAILED: { actions: 'backOffEviction' },
  DEADLINE_REACHED: { actions: 'evictDue' },
  RESUMED: { actions: 'rearm' },
} as const satisfies { [K in TaintEvictionEvent['type']]: { actions: string } }

export const taintEvictionMachine = setup({
  types: {
    context: {} as TaintEvictionContext,
    events: {} as TaintEvictionEvent,
    emitted: {} as TaintEvictionCommand,
    input: {} as Partial<TaintEvictionConfig> | undefined,
  },
  actions: {
    trackNode: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'NODE_UPSERTED')
      run(enqueue, context, event)
    }),
    forgetNode: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'NODE_REMOVED')
      run(enqueue, context, event)
    }),
    trackPod: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'POD_UPSERTED')
      run(enqueue, context, event)
    }),
    forgetPod: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'POD_REMOVED')
      run(enqueue, context, event)
    }),
    confirmEviction: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'EVICTED')
      run(enqueue, context, event)
    }),
    backOffEviction: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'EVICT_FAILED')
      run(enqueue, context, event)
    }),
    evictDue: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'DEADLINE_REACHED')
      run(enqueue, context, event)
    }),
    rearm: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'RESUMED')
      run(enqueue, context, event)
    }),
  },
}).createMachine({
  id: 'taint-eviction-controller',
  context: ({ input }) => initialContext(input),
  initial: 'running',
  states: {
    running: {
      on: handlers,
    },
  },
})

export type TaintEvictionMachine = typeof taintEvictionMachine
