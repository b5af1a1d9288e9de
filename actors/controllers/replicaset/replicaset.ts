import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import { enqueueActions, setup } from 'xstate'
import { emptyTable, lookup, TableEditor, tableValues, type Table } from '../../lib/sharded-table.js'

/**
 * The ReplicaSet controller (Kubernetes 1.32 `pkg/controller/replicaset/replica_set.go`, with
 * `controller_utils.go`'s expectations and `ActivePodsWithRanks`) as a pure XState machine:
 * informer changes in, `CreatePod` / `DeletePod` / `UpdateReplicaSetStatus` commands out.
 *
 * Level-triggered, as Kubernetes': every informer change only ENQUEUES the key of the ReplicaSet it
 * concerns; a worker (the delayed `WORK` event, `workerDelay` after the first enqueue, so that a
 * burst of changes costs one sync) SYNCS each queued key: it diffs `spec.replicas` against the
 * active pods the ReplicaSet owns and acts on the difference.
 *
 * - Ownership is the controller ownerReference: a pod belongs to the ReplicaSet of that name in
 *   its namespace whose uid the reference names. Orphans are NOT adopted and owned pods whose
 *   labels stop matching the selector are NOT released (both need a patch of the pod's
 *   ownerReferences); pods without a ReplicaSet controller reference are ignored.
 * - Active = no `deletionTimestamp` and phase neither Succeeded nor Failed (`FilterActivePods`):
 *   an evicted, deleted or finished pod is replaced at once.
 * - Too few: `min(diff, burstReplicas)` pods are created in slow-start batches (1, 2, 4, …); the
 *   next batch is emitted when the previous one has been answered, a failure skips the rest.
 * - Too many: `min(diff, burstReplicas)` pods, ranked as `ActivePodsWithRanks` prefers them for
 *   deletion, are deleted at once.
 * - Expectations (`UIDTrackingControllerExpectations`): the creations and deletions a sync set in
 *   motion; until the informer has shown all of them (or `expectationsTimeout` has passed) a sync
 *   only updates the status, so the controller never double-creates while its own writes are in
 *   flight. A failed write lowers them at once.
 * - A key is synced by one sync at a time (its writes in flight = the sync is running); changes
 *   meanwhile mark it dirty and it runs again when the sync ends. A sync that failed is requeued
 *   after `retryInitialMs × 2^(failures-1)`, capped (workqueue's per-item rate limiter).
 * - Status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration,
 *   the ReplicaFailure condition) is emitted when it differs from the stored one and from the one
 *   last sent. A status-only change of the ReplicaSet (its own status write coming back) does not
 *   enqueue it (Kubernetes enqueues every update).
 * - The garbage collector's background cascade is done here: owned pods whose owner (that uid) no
 *   longer exists — the ReplicaSet was deleted or replaced by a namesake — are deleted.
 * - Scale: per key, counters over its pods (`tallies`) are kept as pods change, so a sync reads
 *   counters; it walks the pods only to rank them for deletion, to collect garbage, or when
 *   `minReadySeconds` makes availability a matter of time.
 * - Left out: the rank by co-located pods of sibling ReplicaSets (all ranks 0: that needs a
 *   Deployment owning them), restartable init containers in the restart rule, and re-arming the
 *   delayed events after a snapshot restore (XState does not persist them: start from informers).
 *
 * `cause` of every command is the revision of the log event that made the controller act: of
 * the first change that enqueued the key since its last sync, unless a later one is stronger (the
 * ReplicaSet created, changed or deleted, or an owned pod leaving: deletion, eviction, end).
 *
 * Time is never read: external events carry the host's `now` (epoch ms); the internal delayed
 * ones carry the instant they fire at.
 */

export interface ReplicaSetControllerConfig {
  /** `BurstReplicas`: most pods created or deleted by one sync. */
  burstReplicas: number
  /** `SlowStartInitialBatchSize`. */
  slowStartInitialBatchSize: number
  /** `ExpectationsTimeout`, ms: unobserved writes stop blocking syncs after this long. */
  expectationsTimeout: number
  /** Requeue backoff of a failed sync, ms (workqueue's default: 5 ms doubling to 1000 s). */
  retryInitialMs: number
  retryMaxMs: number
  /** ms between the first enqueue and the worker's pass over the queue. */
  workerDelay: number
}

export const defaultReplicaSetControllerConfig: ReplicaSetControllerConfig = {
  burstReplicas: 500,
  slowStartInitialBatchSize: 1,
  expectationsTimeout: 5 * 60_000,
  retryInitialMs: 5,
  retryMaxMs: 1_000_000,
  workerDelay: 0,
}

export type ReplicaSetControllerEvent =
  /** A ReplicaSet was added or changed (informer ADDED/MODIFIED); `rev` is the revision of that change. */
  | { type: 'RS_UPSERTED'; rs: ReplicaSet; rev: number; now?: number }
  /** A ReplicaSet is gone (informer DELETED); `key` is `namespace/name`, `rev` the `ReplicaSetDeleted` revision. */
  | { type: 'RS_REMOVED'; key: string; rev?: number; now?: number }
  /** A pod was added or changed (informer ADDED/MODIFIED). */
  | { type: 'POD_UPSERTED'; pod: Pod; rev: number; now?: number }
  /** A pod is gone (informer DELETED); `pod` is its last version. */
  | { type: 'POD_REMOVED'; key: string; pod: Pod; rev?: number; now?: number }
  /** The api-server created a pod of a `CreatePod`. */
  | { type: 'CREATE_DONE'; rsKey: string; now?: number }
  /** The api-server refused a `CreatePod` (or could not be reached). */
  | { type: 'CREATE_FAILED'; rsKey: string; reason: string; now?: number }
  /** The api-server accepted a `DeletePod`. */
  | { type: 'DELETE_DONE'; rsKey: string; podKey: string; now?: number }
  /** The api-server refused a `DeletePod`; `notFound` when the pod is gone already (not an error). */
  | { type: 'DELETE_FAILED'; rsKey: string; podKey: string; reason: string; notFound: boolean; now?: number }
  /** The api-server refused an `UpdateReplicaSetStatus`: the key is requeued with backoff. */
  | { type: 'STATUS_FAILED'; rsKey: string; reason: string; now?: number }
  /** Internal, delayed: the worker syncs the queued keys. */
  | { type: 'WORK'; now: number }
  /** Internal, delayed: a failed sync's backoff is over, or a ready pod becomes available. */
  | { type: 'RESYNC'; key: string; now: number }
  /** Internal, delayed: the expectations set `expectationsTimeout` ago expire if still unmet. */
  | { type: 'EXPECTATIONS_EXPIRED'; key: string; now: number }

/** Create one pod from the template (POST, `generateName`). Answer with CREATE_DONE or CREATE_FAILED. */
export interface CreatePod {
  type: 'CreatePod'
  namespace: string
  pod: Pod
  /** `namespace/name` of the ReplicaSet. */
  rsKey: string
  cause: number
}

/** Delete the pod (with `uid` as precondition). Answer with DELETE_DONE or DELETE_FAILED. */
export interface DeletePod {
  type: 'DeletePod'
  namespace: string
  name: string
  uid: string | undefined
  rsKey: string
  cause: number
}

/** Replace the ReplicaSet's status (PUT …/status). Answer failures with STATUS_FAILED. */
export interface UpdateReplicaSetStatus {
  type: 'UpdateReplicaSetStatus'
  namespace: string
  name: string
  status: ReplicaSetStatus
  cause: number
}

export type ReplicaSetControllerCommand = CreatePod | DeletePod | UpdateReplicaSetStatus

/** What a sync set in motion and has not observed yet. Fulfilled when `add ≤ 0` and `del` is empty. */
export interface Expectations {
  /** Creations not yet seen by the informer. */
  add: number
  /** Pods (`namespace/name`) whose deletion the informer has not shown yet. */
  del: readonly string[]
  /** Epoch ms they were set; expired `expectationsTimeout` later. */
  at: number
}

/** A running slow start: `inflight` creates of the current batch unanswered, `remaining` not yet emitted. */
export interface CreateBatches {
  batch: number
  inflight: number
  remaining: number
  failed: number
}

/** A sync whose writes are in flight. */
export interface SyncOp {
  cause: number
  creates?: CreateBatches
  deletesInFlight: number
  /** The first failure, for the ReplicaFailure condition and the requeue. */
  error?: { reason: 'FailedCreate' | 'FailedDelete'; message: string }
}

/** A pod filed under a ReplicaSet key, with what a sync reads of it worked out once. */
export interface OwnedPod {
  key: string
  pod: Pod
  /** The uid its controller reference names. */
  ownerUid: string | undefined
  /** No `deletionTimestamp`. */
  live: boolean
  active: boolean
  ready: boolean
}

/** Everything the controller keeps per ReplicaSet key besides the caches. */
export interface SyncState {
  /** Revision of the change that enqueued the key (see the module comment). */
  cause: number
  /** Whether `cause` came from a strong change. */
  strong: boolean
  /** Waiting for a sync (in `queue`, or dirty while `op` runs). */
  queued: boolean
  expectations?: Expectations
  op?: SyncOp
  /** Failed syncs in a row: the backoff exponent. */
  failures: number
  /** The status last emitted, until the informer shows it. */
  sentStatus?: ReplicaSetStatus
}

export interface ReplicaSetControllerContext {
  config: ReplicaSetControllerConfig
  /** The latest `now` any event carried, epoch ms. */
  now: number
  /** `namespace/name` → ReplicaSet. */
  replicaSets: Table<ReplicaSet>
  /** ReplicaSet key → pod key → pods whose controller reference names that ReplicaSet (any uid). */
  owned: Table<Table<OwnedPod>>
  /** Pod key → the ReplicaSet key it is filed under in `owned`. */
  podOwner: Table<string>
  /** ReplicaSet key → counts over its `owned` pods. */
  tallies: Table<Tally>
  syncs: Table<SyncState>
  /** Keys waiting for the worker, each once, first come first synced. */
  queue: readonly string[]
  /** Whether a `WORK` event is armed. */
  workArmed: boolean
}

// ---------------------------------------------------------------------------------------------
// Tables: persistent maps (`actors/lib/sharded-table.ts`): a ReplicaSet of 50,000 pods changes
// one pod per event, and an update copies only the path to it.

export { emptyTable, lookup, tableKeys, tableValues, type Table } from '../../lib/sharded-table.js'

// ---------------------------------------------------------------------------------------------
// Pods and ReplicaSets as the controller reads them.

export const podKey = (pod: Pod): string => `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`
export const replicaSetKey = (rs: ReplicaSet): string => `${rs.metadata?.namespace ?? 'default'}/${rs.metadata?.name ?? ''}`

/** The controller reference of a pod if it names a ReplicaSet (`resolveControllerRef` checks the kind only). */
export function replicaSetRef(pod: Pod): OwnerReference | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true)
  return ref && ref.kind === 'ReplicaSet' ? ref : undefined
}

/** `IsPodActive`. */
export const isPodActive = (pod: Pod): boolean =>
  !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed'

const readyCondition = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === 'Ready')
/** `IsPodReady`: the Ready condition is True. */
export const isPodReady = (pod: Pod): boolean => readyCondition(pod)?.status === 'True'

const time = (t: string | undefined): number => {
  const ms = t ? Date.parse(t) : NaN
  return Number.isFinite(ms) ? ms : 0
}

/** `IsPodAvailable`: ready, and for longer than `minReadySeconds` (strictly) at `now`. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false
  if (minReadySeconds <= 0) return true
  const since = time(readyCondition(pod)?.lastTransitionTime)
  return since > 0 && since + minReadySeconds * 1000 < now
}

/** `GetPodFromTemplate` + the controller reference: the pod a `CreatePod` asks for. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const name = rs.metadata?.name ?? ''
  const template = rs.spec?.template
  const t = template?.metadata
  const owner: OwnerReference = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: rs.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${name}-`,
      namespace: rs.metadata?.namespace ?? 'default',
      ...(t?.labels ? { labels: { ...t.labels } } : {}),
      ...(t?.annotations ? { annotations: { ...t.annotations } } : {}),
      ...(t?.finalizers ? { finalizers: [...t.finalizers] } : {}),
      ownerReferences: [owner],
    },
    spec: template?.spec ?? { containers: [] },
  }
}

// ---------------------------------------------------------------------------------------------
// Ranking for scale-down (`ActivePodsWithRanks.Less`, rank 0 for all: Kubernetes ranks by pods of
// the ReplicaSets sharing this one's controller, and a ReplicaSet without a controller has none).

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 }
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost'

/** `GetDeletionCostFromPodAnnotations`: an int32, 0 when absent or invalid. */
function deletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[POD_DELETION_COST]
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0
  const n = Number(v.trim())
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : 0
}

const maxRestarts = (pod: Pod) => Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0))

/** `afterOrZero`: t1 after t2, a zero time counting as after any other. */
const afterOrZero = (t1: number, t2: number) => (t1 === 0 || t2 === 0 ? t1 === 0 : t1 > t2)

/** `logarithmicRankDiff`: the difference of ⌊log2(age in ns)⌋ of the two instants at `now`. */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => {
    const d = (now - t) * 1e6
    return d > 0 ? Math.floor(Math.log2(d)) : -1
  }
  return rank(t1) - rank(t2)
}

/** One timestamp rule (ready time, creation time), with `LogarithmicScaleDown` on as in 1.32. */
function compareTimes(a: Pod, b: Pod, ta: number, tb: number, now: number): number {
  if (ta === tb) return 0
  if (now === 0 || ta === 0 || tb === 0) return afterOrZero(ta, tb) ? -1 : 1
  const diff = logarithmicRankDiff(ta, tb, now)
  if (diff !== 0) return diff
  const ua = a.metadata?.uid ?? ''
  const ub = b.metadata?.uid ?? ''
  return ua < ub ? -1 : ua > ub ? 1 : 0
}

/** Negative when `a` is to be deleted before `b`. */
export function compareForDeletion(a: Pod, b: Pod, now: number): number {
  const na = a.spec?.nodeName ?? ''
  const nb = b.spec?.nodeName ?? ''
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1
  const pa = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0
  const pb = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0
  if (pa !== pb) return pa - pb
  const ra = isPodReady(a)
  const rb = isPodReady(b)
  if (ra !== rb) return ra ? 1 : -1
  const ca = deletionCost(a)
  const cb = deletionCost(b)
  if (ca !== cb) return ca - cb
  if (ra && rb) {
    const c = compareTimes(a, b, time(readyCondition(a)?.lastTransitionTime), time(readyCondition(b)?.lastTransitionTime), now)
    if (c !== 0) return c
  }
  const xa = maxRestarts(a)
  const xb = maxRestarts(b)
  if (xa !== xb) return xb - xa
  return compareTimes(a, b, time(a.metadata?.creationTimestamp), time(b.metadata?.creationTimestamp), now)
}

/** `getPodsToDelete`: all of them when all go, else the first `n` by rank. */
export function podsToDelete(active: readonly Pod[], n: number, now: number): Pod[] {
  if (n >= active.length) return active.slice(0, n)
  return [...active].sort((a, b) => compareForDeletion(a, b, now)).slice(0, n)
}

// ---------------------------------------------------------------------------------------------
// Status.

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** The counters of a ReplicaSet's status. */
export interface PodCounts {
  replicas: number
  fullyLabeled: number
  ready: number
  available: number
}

/** Whether `labels` hold every template label (`templateLabel.Matches`). */
function hasLabels(labels: Readonly<Record<string, string>> | undefined, template: Readonly<Record<string, string>>): boolean {
  for (const k in template) if (labels?.[k] !== template[k]) return false
  return true
}

/** `calculateStatus`'s loop over the active pods the ReplicaSet owns. */
export function countPods(rs: ReplicaSet, active: readonly Pod[], now: number): PodCounts {
  const template = rs.spec?.template?.metadata?.labels ?? {}
  const minReady = rs.spec?.minReadySeconds ?? 0
  const counts: PodCounts = { replicas: active.length, fullyLabeled: 0, ready: 0, available: 0 }
  for (const pod of active) {
    if (hasLabels(pod.metadata?.labels, template)) counts.fullyLabeled++
    if (isPodReady(pod)) {
      counts.ready++
      if (isPodAvailable(pod, minReady, now)) counts.available++
    }
  }
  return counts
}

/**
 * `calculateStatus`: the counters, `observedGeneration`, and the ReplicaFailure condition set on a
 * failed sync (cleared by a good one). Zero counters are left out, as Go's `omitempty` leaves them
 * out (`replicas` always there). `base` holds the current conditions.
 */
export function statusFrom(rs: ReplicaSet, counts: PodCounts, error: SyncOp['error'], base: ReplicaSetStatus | undefined, now: number): ReplicaSetStatus {
  let conditions: ReplicaSetCondition[] = [...(base?.conditions ?? [])]
  const failing = conditions.some((c) => c.type === 'ReplicaFailure')
  if (error && !failing) {
    conditions.push({ type: 'ReplicaFailure', status: 'True', reason: error.reason, message: error.message, lastTransitionTime: iso(now) })
  } else if (!error && failing) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure')
  }
  const generation = rs.metadata?.generation
  return {
    replicas: counts.replicas,
    ...(counts.fullyLabeled ? { fullyLabeledReplicas: counts.fullyLabeled } : {}),
    ...(counts.ready ? { readyReplicas: counts.ready } : {}),
    ...(counts.available ? { availableReplicas: counts.available } : {}),
    ...(generation ? { observedGeneration: generation } : {}),
    ...(conditions.length ? { conditions } : {}),
  }
}

export function calculateStatus(rs: ReplicaSet, active: readonly Pod[], error: SyncOp['error'], base: ReplicaSetStatus | undefined, now: number): ReplicaSetStatus {
  return statusFrom(rs, countPods(rs, active, now), error, base, now)
}

// ---------------------------------------------------------------------------------------------
// Tallies: per ReplicaSet key, counts over the pods filed under it, per owner uid, kept as pods
// come and go, so a sync of a large ReplicaSet reads counters instead of walking its pods (it
// walks them only to rank pods for deletion, to collect garbage, or for minReadySeconds).

export interface UidTally {
  /** Pods without `deletionTimestamp`. */
  live: number
  active: number
  /** Active and ready. */
  ready: number
  /** Active and carrying every template label. */
  fullyLabeled: number
}

export interface Tally {
  /** The template labels `fullyLabeled` is counted against. */
  labels: Readonly<Record<string, string>>
  byUid: Readonly<Record<string, UidTally>>
}

const NO_PODS: UidTally = { live: 0, active: 0, ready: 0, fullyLabeled: 0 }

function addToTally(t: Tally, o: OwnedPod, sign: 1 | -1): Tally {
  const uid = o.ownerUid ?? ''
  const u = t.byUid[uid] ?? NO_PODS
  const next: UidTally = {
    live: u.live + (o.live ? sign : 0),
    active: u.active + (o.active ? sign : 0),
    ready: u.ready + (o.active && o.ready ? sign : 0),
    fullyLabeled: u.fullyLabeled + (o.active && hasLabels(o.pod.metadata?.labels, t.labels) ? sign : 0),
  }
  return { labels: t.labels, byUid: { ...t.byUid, [uid]: next } }
}

/** The tally of `pods` from scratch (what the kept one must always equal). */
export function tallyPods(pods: readonly OwnedPod[], labels: Readonly<Record<string, string>>): Tally {
  let t: Tally = { labels, byUid: {} }
  for (const o of pods) t = addToTally(t, o, 1)
  return t
}

const templateLabels = (rs: ReplicaSet | undefined): Readonly<Record<string, string>> => rs?.spec?.template?.metadata?.labels ?? {}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) if (!sameJson(ra[k], rb[k])) return false
  return true
}

/** Whether two statuses say the same (`updateReplicaSetStatus`'s early return): absent counters are 0. */
export function sameStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus | undefined): boolean {
  const fields = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const
  if (fields.some((f) => (a?.[f] ?? 0) !== (b?.[f] ?? 0))) return false
  const ca = a?.conditions ?? []
  const cb = b?.conditions ?? []
  return sameJson(ca, cb)
}

/** workqueue's `ItemExponentialFailureRateLimiter`. */
export function retryDelay(failures: number, config: Pick<ReplicaSetControllerConfig, 'retryInitialMs' | 'retryMaxMs'>): number {
  return Math.min(config.retryInitialMs * 2 ** Math.max(0, failures - 1), config.retryMaxMs)
}

/** setTimeout's limit: a longer delay would fire at once. */
const MAX_DELAY = 2 ** 31 - 1

// ---------------------------------------------------------------------------------------------
// Transitions as pure functions over a copy-on-write draft of the context.

type Effect =
  | { kind: 'emit'; command: ReplicaSetControllerCommand }
  | { kind: 'cancel'; id: string }
  | { kind: 'raise'; event: ReplicaSetControllerEvent; id: string; delay: number }

const NEW_STATE: SyncState = { cause: 0, strong: false, queued: false, failures: 0 }

class Draft {
  readonly ctx: ReplicaSetControllerContext
  readonly effects: Effect[] = []
  private readonly tables = new TableEditor()
  private queueCopied = false

  constructor(base: ReplicaSetControllerContext) {
    this.ctx = { ...base }
  }

  /** `t` with `key` set (or removed when `value` is undefined); copies what it touches once. */
  put<T>(t: Table<T>, key: string, value: T | undefined): Table<T> {
    return this.tables.set(t, key, value)
  }

  rs(key: string): ReplicaSet | undefined {
    return lookup(this.ctx.replicaSets, key)
  }
  setRs(key: string, rs: ReplicaSet | undefined): void {
    this.ctx.replicaSets = this.put(this.ctx.replicaSets, key, rs)
  }
  pods(rsKey: string): OwnedPod[] {
    return tableValues(lookup(this.ctx.owned, rsKey))
  }
  ownedPod(rsKey: string, key: string): Pod | undefined {
    return lookup(lookup(this.ctx.owned, rsKey), key)?.pod
  }
  filePod(rsKey: string, key: string, pod: Pod | undefined): void {
    const inner = lookup(this.ctx.owned, rsKey) ?? emptyTable<OwnedPod>()
    const old = lookup(inner, key)
    const rec: OwnedPod | undefined = pod && {
      key,
      pod,
      ownerUid: replicaSetRef(pod)?.uid,
      live: !pod.metadata?.deletionTimestamp,
      active: isPodActive(pod),
      ready: isPodReady(pod),
    }
    const next = this.put(inner, key, rec)
    if (next !== inner) this.ctx.owned = this.put(this.ctx.owned, rsKey, next)
    this.ctx.podOwner = this.put(this.ctx.podOwner, key, pod ? rsKey : undefined)
    let tally = this.tally(rsKey)
    if (old) tally = addToTally(tally, old, -1)
    if (rec) tally = addToTally(tally, rec, 1)
    this.ctx.tallies = this.put(this.ctx.tallies, rsKey, tally)
  }
  tally(rsKey: string): Tally {
    return lookup(this.ctx.tallies, rsKey) ?? { labels: templateLabels(this.rs(rsKey)), byUid: {} }
  }
  /** Counts again against the ReplicaSet's current template labels, if they changed. */
  retally(rsKey: string): void {
    const labels = templateLabels(this.rs(rsKey))
    const t = lookup(this.ctx.tallies, rsKey)
    if (t && !sameJson(t.labels, labels)) this.ctx.tallies = this.put(this.ctx.tallies, rsKey, tallyPods(this.pods(rsKey), labels))
  }
  state(key: string): SyncState {
    return lookup(this.ctx.syncs, key) ?? NEW_STATE
  }
  patch(key: string, change: Partial<SyncState>): SyncState {
    const next = { ...this.state(key), ...change }
    this.ctx.syncs = this.put(this.ctx.syncs, key, next)
    return next
  }
  forget(key: string): void {
    this.ctx.syncs = this.put(this.ctx.syncs, key, undefined)
    this.ctx.owned = this.put(this.ctx.owned, key, undefined)
    this.ctx.tallies = this.put(this.ctx.tallies, key, undefined)
  }

  pushQueue(key: string): void {
    if (!this.queueCopied) {
      this.ctx.queue = [...this.ctx.queue]
      this.queueCopied = true
    }
    ;(this.ctx.queue as string[]).push(key)
  }

  emit(command: ReplicaSetControllerCommand): void {
    this.effects.push({ kind: 'emit', command })
  }
  /** Arms a delayed internal event, replacing the one with the same id. */
  arm(id: string, event: ReplicaSetControllerEvent, delay: number): void {
    this.effects.push({ kind: 'cancel', id }, { kind: 'raise', event, id, delay })
  }
  /** `delay` ms from now, as an internal event's `now`. */
  at(delay: number): number {
    return this.ctx.now + delay
  }
}

function tick(d: Draft, now: number | undefined): void {
  if (now !== undefined && now > d.ctx.now) d.ctx.now = now
}

// --- the work queue.

function enqueue(d: Draft, key: string, cause?: number, strong = false): void {
  const st = d.state(key)
  const better = cause !== undefined && cause > 0 && (!st.queued || (strong && !st.strong))
  if (st.queued) {
    if (better) d.patch(key, { cause: cause!, strong })
    return
  }
  d.patch(key, { queued: true, ...(better ? { cause: cause!, strong } : {}) })
  if (!st.op) pushQueue(d, key)
}

function pushQueue(d: Draft, key: string): void {
  d.pushQueue(key)
  if (!d.ctx.workArmed) {
    d.ctx.workArmed = true
    const delay = d.ctx.config.workerDelay
    d.effects.push({ kind: 'raise', event: { type: 'WORK', now: d.at(delay) }, id: 'work', delay })
  }
}

function work(d: Draft): void {
  d.ctx.workArmed = false
  const keys = d.ctx.queue
  d.ctx.queue = []
  for (const key of keys) {
    const st = d.state(key)
    if (st.queued && !st.op) sync(d, key)
  }
}

// --- expectations.

const fulfilled = (e: Expectations | undefined) => !e || (e.add <= 0 && e.del.length === 0)

function expect(d: Draft, key: string, add: number, del: string[]): void {
  d.patch(key, { expectations: { add, del, at: d.ctx.now } })
  const timeout = d.ctx.config.expectationsTimeout
  d.arm(`expectations:${key}`, { type: 'EXPECTATIONS_EXPIRED', key, now: d.at(timeout) }, timeout)
}

function creationObserved(d: Draft, key: string, n = 1): void {
  const e = d.state(key).expectations
  if (e) d.patch(key, { expectations: { ...e, add: e.add - n } })
}

function deletionObserved(d: Draft, key: string, pod: string): void {
  const e = d.state(key).expectations
  if (e && e.del.includes(pod)) d.patch(key, { expectations: { ...e, del: e.del.filter((k) => k !== pod) } })
}

// --- informer changes.

/** Whether a ReplicaSet update changes what the controller should do (not only its status). */
function desiredChanged(a: ReplicaSet, b: ReplicaSet): boolean {
  return (
    a.metadata?.uid !== b.metadata?.uid ||
    a.metadata?.generation !== b.metadata?.generation ||
    a.metadata?.deletionTimestamp !== b.metadata?.deletionTimestamp ||
    !sameJson(a.spec, b.spec)
  )
}

function rsUpserted(d: Draft, rs: ReplicaSet, rev: number): void {
  const key = replicaSetKey(rs)
  const prev = d.rs(key)
  d.setRs(key, rs)
  d.retally(key)
  if (prev && prev.metadata?.uid !== rs.metadata?.uid) {
    // A namesake replaced it: what the old one expected or sent is void.
    d.patch(key, { expectations: undefined, sentStatus: undefined, failures: 0 })
  }
  const st = d.state(key)
  if (st.sentStatus && sameStatus(rs.status, st.sentStatus)) d.patch(key, { sentStatus: undefined })
  if (!prev || desiredChanged(prev, rs)) enqueue(d, key, rev, true)
}

function rsRemoved(d: Draft, key: string, rev: number | undefined): void {
  if (!d.rs(key)) return
  d.setRs(key, undefined)
  d.patch(key, { expectations: undefined, sentStatus: undefined, failures: 0 })
  enqueue(d, key, rev, true) // its pods are garbage now
}

function podUpserted(d: Draft, pod: Pod, rev: number): void {
  const key = podKey(pod)
  const ref = replicaSetRef(pod)
  const owner = ref ? `${pod.metadata?.namespace ?? 'default'}/${ref.name}` : undefined
  const filed = lookup(d.ctx.podOwner, key)
  if (filed !== undefined && filed !== owner) {
    // The controller reference changed: the old owner lost a pod.
    d.filePod(filed, key, undefined)
    deletionObserved(d, filed, key)
    enqueue(d, filed, rev, true)
  }
  if (owner === undefined) return
  const prev = filed === owner ? d.ownedPod(owner, key) : undefined
  d.filePod(owner, key, pod)
  const rs = d.rs(owner)
  if (pod.metadata?.deletionTimestamp) deletionObserved(d, owner, key)
  else if (!prev && rs && rs.metadata?.uid === ref?.uid) creationObserved(d, owner)
  const lost = isPodActive(pod) ? false : !prev || isPodActive(prev)
  enqueue(d, owner, rev, lost)
}

function podRemoved(d: Draft, key: string, rev: number | undefined): void {
  const owner = lookup(d.ctx.podOwner, key)
  if (owner === undefined) return
  const prev = d.ownedPod(owner, key)
  d.filePod(owner, key, undefined)
  deletionObserved(d, owner, key)
  enqueue(d, owner, rev, !prev || isPodActive(prev))
}

// --- the sync.

function sync(d: Draft, key: string): void {
  const st = d.patch(key, { queued: false, strong: false })
  const rs = d.rs(key)
  const uid = rs?.metadata?.uid
  const tally = d.tally(key)
  const op: SyncOp = { cause: st.cause, deletesInFlight: 0 }
  if (rs && fulfilled(st.expectations) && !rs.metadata?.deletionTimestamp) manageReplicas(d, key, rs, tally.byUid[uid ?? '']?.active ?? 0, op)
  // Garbage collection: pods whose owner (by uid) is gone, not yet deleting or being deleted.
  const foreign = Object.entries(tally.byUid).some(([u, t]) => u !== (uid ?? '') && t.live > 0)
  const expected = new Set(d.state(key).expectations?.del ?? [])
  const garbage = foreign ? d.pods(key).filter((o) => o.ownerUid !== uid && o.live && !expected.has(o.key)) : []
  if (garbage.length > 0) {
    const e = d.state(key).expectations
    const keys = garbage.map((o) => o.key)
    if (fulfilled(e)) expect(d, key, 0, keys)
    else d.patch(key, { expectations: { ...e!, del: [...e!.del, ...keys] } })
    for (const o of garbage) emitDelete(d, key, o.pod, op.cause)
    op.deletesInFlight += garbage.length
  }
  if (op.creates || op.deletesInFlight > 0) d.patch(key, { op })
  else finish(d, key, undefined)
}

/** The active pods the ReplicaSet of `uid` owns. */
const activeOf = (pods: readonly OwnedPod[], uid: string | undefined): Pod[] => pods.filter((o) => o.active && o.ownerUid === uid).map((o) => o.pod)

function manageReplicas(d: Draft, key: string, rs: ReplicaSet, active: number, op: SyncOp): void {
  const { burstReplicas, slowStartInitialBatchSize } = d.ctx.config
  const diff = active - (rs.spec?.replicas ?? 1)
  if (diff < 0) {
    const n = Math.min(-diff, burstReplicas)
    expect(d, key, n, [])
    const batch = Math.min(n, slowStartInitialBatchSize)
    op.creates = { batch, inflight: batch, remaining: n - batch, failed: 0 }
    emitCreates(d, key, rs, batch, op.cause)
  } else if (diff > 0) {
    const victims = podsToDelete(activeOf(d.pods(key), rs.metadata?.uid), Math.min(diff, burstReplicas), d.ctx.now)
    expect(d, key, 0, victims.map(podKey))
    for (const p of victims) emitDelete(d, key, p, op.cause)
    op.deletesInFlight += victims.length
  }
}

function emitCreates(d: Draft, key: string, rs: ReplicaSet, n: number, cause: number): void {
  const namespace = rs.metadata?.namespace ?? 'default'
  for (let i = 0; i < n; i++) d.emit({ type: 'CreatePod', namespace, pod: podFromTemplate(rs), rsKey: key, cause })
}

function emitDelete(d: Draft, key: string, pod: Pod, cause: number): void {
  d.emit({ type: 'DeletePod', namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid, rsKey: key, cause })
}

const opDone = (op: SyncOp) => op.deletesInFlight === 0 && (!op.creates || (op.creates.inflight === 0 && op.creates.remaining === 0))

function createAnswered(d: Draft, key: string, error: string | undefined): void {
  const op = d.state(key).op
  const c = op?.creates
  if (!op || !c || c.inflight === 0) return // not ours (a stale answer)
  let creates: CreateBatches = { ...c, inflight: c.inflight - 1, failed: c.failed + (error === undefined ? 0 : 1) }
  const next: SyncOp = { ...op, creates, ...(error !== undefined && !op.error ? { error: { reason: 'FailedCreate', message: error } } : {}) }
  if (creates.inflight === 0) {
    if (creates.failed > 0) {
      // slowStartBatch stops at a failed batch; what was not created is not expected.
      creationObserved(d, key, creates.failed + creates.remaining)
      creates = { ...creates, remaining: 0 }
    } else if (creates.remaining > 0) {
      const batch = Math.min(2 * creates.batch, creates.remaining)
      creates = { batch, inflight: batch, remaining: creates.remaining - batch, failed: 0 }
      const rs = d.rs(key)
      if (rs) emitCreates(d, key, rs, batch, op.cause)
      else creates = { ...creates, inflight: 0, remaining: 0 } // deleted meanwhile: nothing more to create
    }
    next.creates = creates
  }
  if (opDone(next)) finish(d, key, next.error)
  else d.patch(key, { op: next })
}

function deleteAnswered(d: Draft, key: string, pod: string, error: string | undefined, notFound: boolean): void {
  const op = d.state(key).op
  if (!op || op.deletesInFlight === 0) return
  if (error !== undefined) deletionObserved(d, key, pod)
  const failed = error !== undefined && !notFound
  const next: SyncOp = { ...op, deletesInFlight: op.deletesInFlight - 1, ...(failed && !op.error ? { error: { reason: 'FailedDelete', message: error } } : {}) }
  if (opDone(next)) finish(d, key, next.error)
  else d.patch(key, { op: next })
}

/** End of a sync: status, requeue on failure (with backoff) or when changed meanwhile, cleanup. */
function finish(d: Draft, key: string, error: SyncOp['error']): void {
  const st = d.patch(key, { op: undefined, failures: error ? d.state(key).failures + 1 : 0 })
  const rs = d.rs(key)
  if (rs) updateStatus(d, key, rs, error, st.cause)
  if (error) backOff(d, key, st.failures)
  if (st.queued) pushQueue(d, key)
  else if (!rs && fulfilled(st.expectations) && (lookup(d.ctx.owned, key)?.size ?? 0) === 0) d.forget(key)
}

function backOff(d: Draft, key: string, failures: number): void {
  const delay = Math.min(retryDelay(failures, d.ctx.config), MAX_DELAY)
  d.arm(`retry:${key}`, { type: 'RESYNC', key, now: d.at(delay) }, delay)
}

function updateStatus(d: Draft, key: string, rs: ReplicaSet, error: SyncOp['error'], cause: number): void {
  const now = d.ctx.now
  const uid = rs.metadata?.uid
  const minReady = rs.spec?.minReadySeconds ?? 0
  // With minReadySeconds, availability depends on the time: count by walking the pods.
  const active = minReady > 0 ? activeOf(d.pods(key), uid) : undefined
  const u = d.tally(key).byUid[uid ?? ''] ?? NO_PODS
  const counts = active ? countPods(rs, active, now) : { replicas: u.active, fullyLabeled: u.fullyLabeled, ready: u.ready, available: u.ready }
  const st = d.state(key)
  const base = st.sentStatus ?? rs.status
  const status = statusFrom(rs, counts, error, base, now)
  if (!sameStatus(status, base)) {
    d.patch(key, { sentStatus: status })
    d.emit({ type: 'UpdateReplicaSetStatus', namespace: rs.metadata?.namespace ?? 'default', name: rs.metadata?.name ?? '', status, cause })
  }
  // Ready pods not yet available: sync again when the first of them becomes available.
  if (!active) return
  let next = Infinity
  for (const p of active) {
    if (!isPodReady(p) || isPodAvailable(p, minReady, now)) continue
    const since = time(readyCondition(p)?.lastTransitionTime)
    if (since > 0) next = Math.min(next, since + minReady * 1000 + 1)
  }
  if (next === Infinity) return
  const delay = Math.min(Math.max(0, next - now), MAX_DELAY)
  d.arm(`available:${key}`, { type: 'RESYNC', key, now: d.at(delay) }, delay)
}

function statusFailed(d: Draft, key: string): void {
  const st = d.patch(key, { sentStatus: undefined, failures: d.state(key).failures + 1 })
  backOff(d, key, st.failures)
}

function expectationsExpired(d: Draft, key: string): void {
  const e = d.state(key).expectations
  if (!e || fulfilled(e) || d.ctx.now - e.at < d.ctx.config.expectationsTimeout) return
  d.patch(key, { expectations: undefined })
  enqueue(d, key)
}

// ---------------------------------------------------------------------------------------------
// The machine.

type Ev<K extends ReplicaSetControllerEvent['type']> = Extract<ReplicaSetControllerEvent, { type: K }>

/** One reducer per event type: adding an event to the union fails to compile until it is handled here. */
const reducers: { [K in ReplicaSetControllerEvent['type']]: (d: Draft, e: Ev<K>) => void } = {
  RS_UPSERTED: (d, e) => rsUpserted(d, e.rs, e.rev),
  RS_REMOVED: (d, e) => rsRemoved(d, e.key, e.rev),
  POD_UPSERTED: (d, e) => podUpserted(d, e.pod, e.rev),
  POD_REMOVED: (d, e) => podRemoved(d, e.key, e.rev),
  CREATE_DONE: (d, e) => createAnswered(d, e.rsKey, undefined),
  CREATE_FAILED: (d, e) => createAnswered(d, e.rsKey, e.reason),
  DELETE_DONE: (d, e) => deleteAnswered(d, e.rsKey, e.podKey, undefined, false),
  DELETE_FAILED: (d, e) => deleteAnswered(d, e.rsKey, e.podKey, e.reason, e.notFound),
  STATUS_FAILED: (d, e) => statusFailed(d, e.rsKey),
  WORK: (d) => work(d),
  RESYNC: (d, e) => enqueue(d, e.key),
  EXPECTATIONS_EXPIRED: (d, e) => expectationsExpired(d, e.key),
}

/** The subset of XState's `enqueue` a draft needs. */
interface Enqueue {
  assign(ctx: ReplicaSetControllerContext): void
  emit(command: ReplicaSetControllerCommand): void
  cancel(id: string): void
  raise(event: ReplicaSetControllerEvent, options: { id: string; delay: number }): void
}

function step(enqueue: Enqueue, context: ReplicaSetControllerContext, event: ReplicaSetControllerEvent): void {
  const d = new Draft(context)
  tick(d, event.now)
  ;(reducers[event.type] as (d: Draft, e: ReplicaSetControllerEvent) => void)(d, event)
  enqueue.assign(d.ctx)
  for (const e of d.effects) {
    if (e.kind === 'emit') enqueue.emit(e.command)
    else if (e.kind === 'cancel') enqueue.cancel(e.id)
    else enqueue.raise(e.event, { id: e.id, delay: e.delay })
  }
}

export function initialContext(config: Partial<ReplicaSetControllerConfig> = {}): ReplicaSetControllerContext {
  return {
    config: { ...defaultReplicaSetControllerConfig, ...config },
    now: 0,
    replicaSets: emptyTable(),
    owned: emptyTable(),
    podOwner: emptyTable(),
    tallies: emptyTable(),
    syncs: emptyTable(),
    queue: [],
    workArmed: false,
  }
}

/** Every event type is handled by `step` (the reducers above); listed so the chart shows them. */
const handlers = {
  RS_UPSERTED: { actions: 'step' },
  RS_REMOVED: { actions: 'step' },
  POD_UPSERTED: { actions: 'step' },
  POD_REMOVED: { actions: 'step' },
  CREATE_DONE: { actions: 'step' },
  CREATE_FAILED: { actions: 'step' },
  DELETE_DONE: { actions: 'step' },
  DELETE_FAILED: { actions: 'step' },
  STATUS_FAILED: { actions: 'step' },
  WORK: { actions: 'step' },
  RESYNC: { actions: 'step' },
  EXPECTATIONS_EXPIRED: { actions: 'step' },
} as const satisfies { [K in ReplicaSetControllerEvent['type']]: { actions: 'step' } }

export const replicaSetControllerMachine = setup({
  types: {
    context: {} as ReplicaSetControllerContext,
    events: {} as ReplicaSetControllerEvent,
    emitted: {} as ReplicaSetControllerCommand,
    input: {} as Partial<ReplicaSetControllerConfig> | undefined,
  },
  actions: {
    step: enqueueActions(({ context, event, enqueue }) => step(enqueue, context, event)),
  },
}).createMachine({
  id: 'replicaset-controller',
  context: ({ input }) => initialContext(input),
  initial: 'running',
  states: {
    running: { on: handlers },
  },
})

export type ReplicaSetControllerMachine = typeof replicaSetControllerMachine
