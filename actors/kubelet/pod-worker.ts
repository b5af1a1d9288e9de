import type { ContainerState, ContainerStateTerminated, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js'
import { assign, enqueueActions, sendParent, setup, type ActorRefFrom } from 'xstate'
import {
  containerMachine,
  type ContainerCommand,
  type ContainerEmitted,
  type ContainerEvent,
  type ContainerInput,
  type ContainerResult,
  type PodFieldRefs,
  type SpawnSpec,
} from '../container-runtime/container.js'

/**
 * The kubelet's pod worker for ONE pod (Kubernetes' `pod_workers.go` + `SyncPod` + `status/generate.go`):
 *
 *   Pending ─START─▶ ContainerCreating ─(phase Running)─▶ Running ─(phase terminal)─▶ Succeeded | Failed
 *      │                    └──────────────DELETE_REQUESTED / POD_GONE──────────────┐      │
 *      │                                                                            ▼      │
 *      └──DELETE_REQUESTED / POD_GONE──────────────▶ Terminated ◀─(all stopped)─ Terminating ◀┘ (nothing to stop)
 *
 * Each container attempt is a child actor (`container.ts`): one OS process, its SIGTERM→SIGKILL
 * timer and its CrashLoopBackOff wait are `after` delays of that child, so several containers of
 * one pod keep independent timers without this machine needing a state per container (a pod's
 * containers are only known at run time). Children talk back through `CONTAINER_OUTPUT`; this
 * machine keeps the Kubernetes-visible record of each container (state, lastState, restartCount,
 * back-off) in context, decides restarts (restartPolicy), computes the pod's phase exactly as the
 * kubelet's `getPhase` does, and emits `ReportStatus` whenever the visible status changes.
 *
 * Time: never read. Every event from the host carries `at` (its clock); children report the times
 * of the events they saw. `context.now` is the latest of them and stamps conditions.
 *
 * Commands and entrypoints: there is no image store, so an image has no ENTRYPOINT/CMD. A container
 * with neither `command` nor `args` is passed on as is (empty), and the driver runs a placeholder
 * process that stays up until it is signalled and then exits 0 (like nginx on SIGTERM), so that
 * `nginx`-like pods reach Running and terminate cleanly. With `args` but no `command`, the driver
 * runs `args` (the image's entrypoint being empty). Init containers, probes and image pulls are not
 * modelled: a container is ready as soon as it runs.
 */

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never'
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed'

/** CrashLoopBackOff (`pkg/kubelet/kubelet.go`: backOffPeriod, MaxContainerBackOff). */
export interface BackOffConfig {
  initialMs: number
  maxMs: number
}
export const DEFAULT_BACKOFF: BackOffConfig = { initialMs: 10_000, maxMs: 300_000 }

export interface PodWorkerInput {
  /** The pod as bound to this node (spec, metadata; its status seeds a worker after a kubelet restart). */
  pod: Pod
  nodeName: string
  hostIP: string
  /** Containers run on the host network: defaults to hostIP. */
  podIP?: string
  /** `DIR/pods/<namespace>_<name>_<uid>`: container logs (`<container>.log`) and the default working directory. */
  podDir: string
  backOff?: Partial<BackOffConfig>
  at: number
}

/** `rev`: the log revision behind the event, kept as the `cause` of the statuses it leads to. */
export type PodWorkerEvent =
  /** The host admitted the pod (kstate does no resource admission): start its containers. */
  | { type: 'START'; at: number; rev?: number }
  /** From the driver, about the attempt `containerId`. */
  | { type: 'CONTAINER_STARTED'; containerId: string; pid: number; at: number }
  | { type: 'CONTAINER_EXITED'; containerId: string; exitCode: number | null; signal: string | null; at: number }
  | { type: 'CONTAINER_SPAWN_FAILED'; containerId: string; message: string; at: number }
  /** `metadata.deletionTimestamp` is set: stop everything within the grace period, then confirm. */
  | { type: 'DELETE_REQUESTED'; gracePeriodSeconds: number; at: number; rev?: number }
  /** The pod is gone from the API or no longer bound here: kill at once, confirm nothing. */
  | { type: 'POD_GONE'; at: number }
  /** Internal: what a container child emitted (commands to relay, notices to record). */
  | { type: 'CONTAINER_OUTPUT'; emitted: ContainerEmitted }

export type PodWorkerCommand =
  | ContainerCommand
  | { type: 'ReportStatus'; status: PodStatus; cause?: number }
  /** Every container has stopped after a deletion: the host deletes the object with grace 0 (uid precondition). */
  | { type: 'PodTerminated'; namespace: string; name: string; uid: string; cause?: number }

/** Where each event is handled; fails to compile when an event is added and not placed. */
export const POD_WORKER_EVENT_HANDLERS: Record<PodWorkerEvent['type'], string> = {
  START: 'Pending → ContainerCreating',
  CONTAINER_STARTED: 'any state: forwarded to the attempt',
  CONTAINER_EXITED: 'any state: forwarded to the attempt',
  CONTAINER_SPAWN_FAILED: 'any state: forwarded to the attempt',
  DELETE_REQUESTED: 'Pending/Succeeded/Failed → Terminated; active → Terminating; Terminating: shorter grace',
  POD_GONE: 'Pending/Succeeded/Failed → Terminated; active/Terminating → Terminating with grace 0',
  CONTAINER_OUTPUT: 'any state: commands relayed, Running recorded; Exited → restart decision (active) or record (Terminating)',
}

type Terminated = {
  kind: 'terminated'
  exitCode: number
  signal?: string | null
  reason: string
  message?: string
  startedAt?: number
  finishedAt: number
  containerId?: string
}
type TrackedState = { kind: 'waiting'; reason: string; message?: string } | { kind: 'running'; startedAt: number } | Terminated

/** The kubelet's record of one container of the spec. */
export interface ContainerTrack {
  name: string
  image: string
  restartCount: number
  /** Index of the latest attempt (-1: none yet); attempt n > 0 is restart n. */
  attempt: number
  /** Id of the attempt whose child is alive, if any. */
  liveId?: string
  ref?: ActorRefFrom<typeof containerChild>
  /** Id of the latest attempt that was created (shown as containerID). */
  containerId?: string
  state: TrackedState
  lastState?: Terminated
  /** Kubernetes' flowcontrol.Backoff entry: the next wait and when it was last stepped. */
  backOff?: { durationMs: number; lastUpdate: number }
  /** Terminated and will not be restarted. */
  done: boolean
}

export interface PodWorkerContext {
  namespace: string
  name: string
  uid: string
  pod: Pod
  restartPolicy: RestartPolicy
  nodeName: string
  hostIP: string
  podIP: string
  podDir: string
  backOff: BackOffConfig
  now: number
  startTime?: number
  containers: ContainerTrack[]
  /** Condition type → the status it had and since when (lastTransitionTime). */
  conditionSince: Record<string, { status: string; at: number }>
  phase: PodPhase
  lastReported?: string
  gracePeriodSeconds?: number
  /** POD_GONE: nothing to report or confirm any more. */
  gone: boolean
  cause?: number
}

/** The container child: its one output action sends to this worker instead of emitting. */
const containerChild = containerMachine.provide({
  actions: {
    out: sendParent((_, params: ContainerEmitted) => ({ type: 'CONTAINER_OUTPUT' as const, emitted: params })),
  },
})

// ---------------------------------------------------------------------------------------------
// Pure helpers: Kubernetes' rules, each small enough to check against its Go original.

export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Go's `time.Duration.String()` for whole seconds: 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${s % 60}s` : `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`
}

/** `kubecontainer.ShouldContainerBeRestarted` for a container that has exited. */
export function shouldRestart(policy: RestartPolicy, exitCode: number): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0)
}

/**
 * `doBackOff` + `flowcontrol.Backoff`: the first restart (or the first after the entry expired —
 * the container ran more than 2 × max = 10 min since its last restart) happens at once and sets the
 * entry to the initial period; later ones wait the entry's period, which then doubles up to max.
 */
export function nextBackOff(entry: ContainerTrack['backOff'], finishedAt: number, cfg: BackOffConfig): { waitMs: number; entry: NonNullable<ContainerTrack['backOff']> } {
  if (!entry || finishedAt - entry.lastUpdate > 2 * cfg.maxMs) return { waitMs: 0, entry: { durationMs: cfg.initialMs, lastUpdate: finishedAt } }
  return { waitMs: entry.durationMs, entry: { durationMs: Math.min(2 * entry.durationMs, cfg.maxMs), lastUpdate: finishedAt + entry.durationMs } }
}

/** `getPhase` of `kubelet_pods.go`, for regular containers. */
export function getPhase(tracks: readonly ContainerTrack[], policy: RestartPolicy, podIsTerminal: boolean): PodPhase {
  let running = 0
  let waiting = 0
  let stopped = 0
  let succeeded = 0
  for (const t of tracks) {
    if (t.state.kind === 'running') running++
    else if (t.state.kind === 'terminated') {
      stopped++
      if (t.state.exitCode === 0) succeeded++
    } else if (t.lastState) stopped++
    else waiting++
  }
  if (waiting > 0) return 'Pending'
  if (running > 0) return 'Running'
  if (stopped > 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed'
    if (policy === 'Always') return 'Running'
    if (stopped === succeeded) return 'Succeeded'
    if (policy === 'Never') return 'Failed'
    return 'Running'
  }
  return 'Pending'
}

const isTerminalPhase = (p: PodPhase) => p === 'Succeeded' || p === 'Failed'

const UNKNOWN_AT_TERMINATION = 'The container could not be located when the pod was terminated'
const UNKNOWN_AFTER_RESTART = 'The container could not be located when the pod was deleted.  The container used to be Running'

function fromApiTerminated(t: ContainerStateTerminated, now: number): Terminated {
  const parse = (s?: string) => (s ? Date.parse(s) : undefined)
  return {
    kind: 'terminated',
    exitCode: t.exitCode,
    reason: t.reason ?? (t.exitCode === 0 ? 'Completed' : 'Error'),
    ...(t.message ? { message: t.message } : {}),
    ...(t.startedAt ? { startedAt: parse(t.startedAt) } : {}),
    finishedAt: parse(t.finishedAt) ?? now,
    ...(t.containerID ? { containerId: t.containerID.replace(/^kstate:\/\//, '') } : {}),
  }
}

/**
 * A track per spec container. After a kubelet restart the pod's last reported status says which
 * containers had already run: their processes are gone (the node reaped them), so they count as
 * exited and START applies the restart policy to them instead of running a Never pod twice.
 */
function initialTracks(pod: Pod, now: number): ContainerTrack[] {
  const previous = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]))
  return (pod.spec?.containers ?? []).map((c) => {
    const fresh: ContainerTrack = { name: c.name, image: c.image ?? '', restartCount: 0, attempt: -1, state: { kind: 'waiting', reason: 'ContainerCreating' }, done: false }
    const p = previous.get(c.name)
    if (!p) return fresh
    const ran = p.state?.terminated ?? p.lastState?.terminated
    const state: Terminated | undefined = p.state?.running
      ? { kind: 'terminated', exitCode: 137, reason: 'ContainerStatusUnknown', message: UNKNOWN_AFTER_RESTART, finishedAt: now }
      : ran
        ? fromApiTerminated(ran, now)
        : undefined
    if (!state) return fresh
    const lastState = p.state?.terminated && p.lastState?.terminated ? fromApiTerminated(p.lastState.terminated, now) : undefined
    return { ...fresh, restartCount: p.restartCount ?? 0, attempt: p.restartCount ?? 0, state, ...(lastState ? { lastState } : {}) }
  })
}

function fieldRefs(ctx: PodWorkerContext): PodFieldRefs {
  return {
    name: ctx.name,
    namespace: ctx.namespace,
    uid: ctx.uid,
    nodeName: ctx.nodeName,
    podIP: ctx.podIP,
    hostIP: ctx.hostIP,
    hostname: ctx.pod.spec?.hostname ?? ctx.name,
    ...(ctx.pod.spec?.serviceAccountName ? { serviceAccountName: ctx.pod.spec.serviceAccountName } : {}),
  }
}

function spawnSpec(ctx: PodWorkerContext, name: string): SpawnSpec {
  const c = (ctx.pod.spec?.containers ?? []).find((x) => x.name === name)!
  return {
    name,
    image: c.image ?? '',
    command: c.command ?? [],
    args: c.args ?? [],
    env: c.env ?? [],
    workingDir: c.workingDir ?? ctx.podDir,
    logPath: `${ctx.podDir}/${name}.log`,
    pod: fieldRefs(ctx),
  }
}

const attemptId = (ctx: PodWorkerContext, name: string, attempt: number) => `${ctx.uid}_${name}_${attempt}`

function toApiTerminated(t: Terminated): ContainerStateTerminated {
  return {
    exitCode: t.exitCode,
    reason: t.reason,
    ...(t.message ? { message: t.message } : {}),
    ...(t.startedAt !== undefined ? { startedAt: rfc3339(t.startedAt) } : {}),
    finishedAt: rfc3339(t.finishedAt),
    ...(t.containerId ? { containerID: `kstate://${t.containerId}` } : {}),
  }
}

function toApiState(s: TrackedState): ContainerState {
  if (s.kind === 'running') return { running: { startedAt: rfc3339(s.startedAt) } }
  if (s.kind === 'terminated') return { terminated: toApiTerminated(s) }
  return { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } }
}

function toApiContainerStatus(t: ContainerTrack): ContainerStatus {
  const running = t.state.kind === 'running'
  return {
    name: t.name,
    state: toApiState(t.state),
    lastState: t.lastState ? { terminated: toApiTerminated(t.lastState) } : {},
    ready: running,
    restartCount: t.restartCount,
    image: t.image,
    imageID: '',
    ...(t.containerId ? { containerID: `kstate://${t.containerId}` } : {}),
    started: running,
  }
}

/** Conditions the kubelet owns (`PodConditionsByKubelet` + PodReadyToStartContainers); others are kept as they are. */
const KUBELET_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers'])

/** `generateAPIPodStatus`: the status as the API shows it, and the condition transition times it implies. */
export function podStatus(ctx: PodWorkerContext, opts: { podIsTerminal: boolean; sandboxReady: boolean }): { status: PodStatus; phase: PodPhase; conditionSince: PodWorkerContext['conditionSince'] } {
  const phase = isTerminalPhase(ctx.phase) ? ctx.phase : getPhase(ctx.containers, ctx.restartPolicy, opts.podIsTerminal)
  const statuses = [...ctx.containers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(toApiContainerStatus)
  const unready = ctx.containers.filter((t) => t.state.kind !== 'running').map((t) => t.name)
  // GenerateContainersReadyCondition / GeneratePodReadyCondition
  const ready: Omit<PodCondition, 'type'> =
    phase === 'Succeeded' ? { status: 'False', reason: 'PodCompleted' }
    : phase === 'Failed' ? { status: 'False', reason: 'PodFailed' }
    : unready.length > 0 ? { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }
    : { status: 'True' }
  const wanted: PodCondition[] = [
    { type: 'PodReadyToStartContainers', status: opts.sandboxReady ? 'True' : 'False' },
    { type: 'Initialized', status: 'True' },
    { type: 'Ready', ...ready },
    { type: 'ContainersReady', ...ready },
    { type: 'PodScheduled', status: 'True' },
  ]
  const conditionSince = { ...ctx.conditionSince }
  const conditions: PodCondition[] = (ctx.pod.status?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type))
  for (const c of wanted) {
    const since = conditionSince[c.type]
    if (!since || since.status !== c.status) conditionSince[c.type] = { status: c.status, at: ctx.now }
    conditions.push({ ...c, lastTransitionTime: rfc3339(conditionSince[c.type].at) })
  }
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    podIP: ctx.podIP,
    podIPs: [{ ip: ctx.podIP }],
    ...(ctx.startTime !== undefined ? { startTime: rfc3339(ctx.startTime) } : {}),
    containerStatuses: statuses,
    ...(ctx.pod.status?.qosClass ? { qosClass: ctx.pod.status.qosClass } : {}),
  }
  return { status, phase, conditionSince }
}

/** The waiting state of a container about to be restarted after `waitMs`. */
function restartingState(ctx: PodWorkerContext, t: ContainerTrack, result: ContainerResult, waitMs: number): Pick<ContainerTrack, 'state' | 'lastState'> {
  const exited = terminatedOf(t, result)
  if (waitMs > 0) {
    const message = `back-off ${goDuration(waitMs)} restarting failed container=${t.name} pod=${ctx.name}_${ctx.namespace}(${ctx.uid})`
    return { state: { kind: 'waiting', reason: 'CrashLoopBackOff', message }, lastState: exited }
  }
  // Restarted at once: a start failure shows RunContainerError until the next attempt runs; an
  // exit shows as terminated until then (and becomes lastState when the new process runs).
  if (result.outcome === 'startFailed') return { state: { kind: 'waiting', reason: 'RunContainerError', message: result.message }, lastState: exited }
  return { state: exited, lastState: t.lastState }
}

function terminatedOf(t: ContainerTrack, r: ContainerResult): Terminated {
  if (r.outcome === 'exited') return { kind: 'terminated', exitCode: r.exitCode, signal: r.signal, reason: r.reason, startedAt: r.startedAt, finishedAt: r.finishedAt, containerId: t.liveId }
  if (r.outcome === 'startFailed') return { kind: 'terminated', exitCode: 128, reason: 'StartError', message: r.message, finishedAt: r.finishedAt, containerId: t.liveId }
  return { kind: 'terminated', exitCode: 137, reason: 'ContainerStatusUnknown', message: UNKNOWN_AT_TERMINATION, finishedAt: r.finishedAt }
}

const timeOf = (e: ContainerEmitted): number | undefined =>
  e.type === 'Running' ? e.startedAt : e.type === 'Exited' ? e.result.finishedAt : undefined

/** Driver events, translated for the attempt they are about. */
function forContainer(e: PodWorkerEvent): { containerId: string; event: ContainerEvent } | undefined {
  switch (e.type) {
    case 'CONTAINER_STARTED':
      return { containerId: e.containerId, event: { type: 'STARTED', pid: e.pid, at: e.at } }
    case 'CONTAINER_EXITED':
      return { containerId: e.containerId, event: { type: 'EXITED', exitCode: e.exitCode, signal: e.signal, at: e.at } }
    case 'CONTAINER_SPAWN_FAILED':
      return { containerId: e.containerId, event: { type: 'SPAWN_FAILED', message: e.message, at: e.at } }
    default:
      return undefined
  }
}

type ContainerRef = ActorRefFrom<typeof containerChild>
/** Spawns a container child (the machine's `spawn`, passed in so these helpers stay plain functions). */
type StartAttempt = (id: string, input: ContainerInput) => ContainerRef

/** A new attempt of the container: a child that waits `backOffMs`, then spawns its process. */
function withAttempt(ctx: PodWorkerContext, t: ContainerTrack, backOffMs: number, start: StartAttempt): ContainerTrack {
  const attempt = t.attempt + 1
  const id = attemptId(ctx, t.name, attempt)
  const ref = start(`container/${t.name}/${attempt}`, { containerId: id, spec: spawnSpec(ctx, t.name), backOffMs, at: ctx.now })
  return { ...t, attempt, liveId: id, ref, done: false }
}

/**
 * START: a container gets its first attempt. One found already exited after a kubelet restart is
 * restarted at once (a fresh back-off entry) if the policy says so, else it stays terminated.
 */
function startTrack(ctx: PodWorkerContext, t: ContainerTrack, start: StartAttempt): ContainerTrack {
  if (t.state.kind !== 'terminated') return withAttempt(ctx, t, 0, start)
  if (!shouldRestart(ctx.restartPolicy, t.state.exitCode)) return { ...t, done: true }
  return withAttempt(ctx, { ...t, backOff: nextBackOff(undefined, ctx.now, ctx.backOff).entry }, 0, start)
}

/** The track once an attempt is over and nothing follows it (yet). */
function ended(t: ContainerTrack, result: ContainerResult): ContainerTrack {
  const base: ContainerTrack = {
    ...t,
    ref: undefined,
    liveId: undefined,
    done: true,
    // A start failure still created a container: it counts as a restart like a run does.
    restartCount: result.outcome === 'startFailed' ? Math.max(t.restartCount, t.attempt) : t.restartCount,
  }
  if (result.outcome === 'cancelled') return base
  const exited = terminatedOf(t, result)
  return { ...base, state: exited, containerId: exited.containerId ?? t.containerId }
}

/** An attempt ended: record it; restart per restartPolicy after the CrashLoopBackOff wait. */
function afterExit(ctx: PodWorkerContext, t: ContainerTrack, result: ContainerResult, start: StartAttempt): ContainerTrack {
  if (result.outcome === 'cancelled' || !shouldRestart(ctx.restartPolicy, result.exitCode)) return ended(t, result)
  const { waitMs, entry } = nextBackOff(t.backOff, result.finishedAt, ctx.backOff)
  return withAttempt(ctx, { ...ended(t, result), ...restartingState(ctx, t, result, waitMs), backOff: entry }, waitMs, start)
}

// ---------------------------------------------------------------------------------------------

export const podWorkerMachine = setup({
  types: {
    context: {} as PodWorkerContext,
    events: {} as PodWorkerEvent,
    input: {} as PodWorkerInput,
    emitted: {} as PodWorkerCommand,
  },
  actors: { container: containerChild },
  actions: {
    /** Every host event carries the time; children's notices carry the times of what they saw. */
    trackTime: assign({
      now: ({ context, event }) => {
        const at = 'at' in event ? event.at : event.type === 'CONTAINER_OUTPUT' ? timeOf(event.emitted) : undefined
        return at === undefined ? context.now : Math.max(context.now, at)
      },
      cause: ({ context, event }) => ('rev' in event && event.rev !== undefined ? event.rev : context.cause),
    }),

    forwardToContainer: enqueueActions(({ context, event, enqueue }) => {
      const f = forContainer(event)
      const t = f && context.containers.find((c) => c.liveId === f.containerId)
      if (f && t?.ref) enqueue.sendTo(t.ref, f.event)
    }),

    /** Commands of the children go out to the host unchanged. */
    relayCommand: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'CONTAINER_OUTPUT') return
      const e = event.emitted
      if (e.type === 'Spawn' || e.type === 'Signal') enqueue.emit(e)
    }),

    recordRunning: assign({
      containers: ({ context, event }) => {
        if (event.type !== 'CONTAINER_OUTPUT' || event.emitted.type !== 'Running') return context.containers
        const { containerId, startedAt } = event.emitted
        return context.containers.map((t) =>
          t.liveId !== containerId
            ? t
            : {
                ...t,
                lastState: t.state.kind === 'terminated' ? t.state : t.lastState,
                state: { kind: 'running' as const, startedAt },
                restartCount: Math.max(t.restartCount, t.attempt),
                containerId,
              },
        )
      },
    }),

    /** START: every container gets its first attempt (or, found exited after a kubelet restart, the policy's verdict). */
    startContainers: assign(({ context, spawn }) => ({
      containers: context.containers.map((t) => startTrack(context, t, (id, input) => spawn('container', { id, input }))),
    })),

    /** An attempt ended: record it, and restart the container when the policy says so, after the back-off. */
    settleExit: assign(({ context, event, spawn }) => {
      if (event.type !== 'CONTAINER_OUTPUT' || event.emitted.type !== 'Exited') return {}
      const { containerId, result } = event.emitted
      return {
        containers: context.containers.map((t) => (t.liveId === containerId ? afterExit(context, t, result, (id, input) => spawn('container', { id, input })) : t)),
      }
    }),

    /** While terminating nothing restarts: an exit is only recorded. */
    recordExitWhileTerminating: assign({
      containers: ({ context, event }) => {
        if (event.type !== 'CONTAINER_OUTPUT' || event.emitted.type !== 'Exited') return context.containers
        const { containerId, result } = event.emitted
        return context.containers.map((t) => (t.liveId === containerId ? ended(t, result) : t))
      },
    }),
    stopExitedChildren: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CONTAINER_OUTPUT' || event.emitted.type !== 'Exited') return
      const id = event.emitted.containerId
      const t = context.containers.find((c) => c.liveId === id)
      if (t?.ref) enqueue.stopChild(t.ref)
    }),

    recordDeletion: assign({
      gracePeriodSeconds: ({ context, event }) => {
        if (event.type === 'POD_GONE') return 0
        if (event.type !== 'DELETE_REQUESTED') return context.gracePeriodSeconds
        // calculateEffectiveGracePeriod: never longer than before, never below 1 s.
        const g = Math.max(1, Math.floor(event.gracePeriodSeconds))
        return context.gracePeriodSeconds === undefined ? g : Math.min(context.gracePeriodSeconds, g)
      },
      gone: ({ context, event }) => context.gone || event.type === 'POD_GONE',
    }),
    stopContainers: enqueueActions(({ context, enqueue }) => {
      for (const t of context.containers) {
        if (t.ref) enqueue.sendTo(t.ref, { type: 'STOP', gracePeriodSeconds: context.gracePeriodSeconds ?? 0, at: context.now } satisfies ContainerEvent)
      }
    }),

    /** TerminatePod: containers that never ran to an end are marked terminated-unknown. */
    finalizeContainers: assign({
      containers: ({ context }) =>
        context.containers.map((t) =>
          t.state.kind === 'terminated' ? t : { ...t, state: { kind: 'terminated' as const, exitCode: 137, reason: 'ContainerStatusUnknown', message: UNKNOWN_AT_TERMINATION, finishedAt: context.now } },
        ),
    }),

    /** Emits ReportStatus when the Kubernetes-visible status differs from the last one reported. */
    report: enqueueActions(({ context, enqueue }, p: { podIsTerminal: boolean; sandboxReady: boolean }) => {
      if (context.gone || context.startTime === undefined) return
      const { status, phase, conditionSince } = podStatus(context, p)
      const json = JSON.stringify(status)
      if (json === context.lastReported) return
      enqueue.assign({ lastReported: json, phase, conditionSince })
      enqueue.emit({ type: 'ReportStatus', status, ...(context.cause !== undefined ? { cause: context.cause } : {}) })
    }),

    confirmTermination: enqueueActions(({ context, enqueue }) => {
      if (context.gone) return
      enqueue.emit({ type: 'PodTerminated', namespace: context.namespace, name: context.name, uid: context.uid, ...(context.cause !== undefined ? { cause: context.cause } : {}) })
    }),
  },
  guards: {
    phaseRunning: ({ context }) => getPhase(context.containers, context.restartPolicy, false) === 'Running',
    phaseSucceeded: ({ context }) => context.phase === 'Succeeded' || (!isTerminalPhase(context.phase) && getPhase(context.containers, context.restartPolicy, false) === 'Succeeded'),
    phaseFailed: ({ context }) => context.phase === 'Failed' || (!isTerminalPhase(context.phase) && getPhase(context.containers, context.restartPolicy, false) === 'Failed'),
    isExited: ({ event }) => event.type === 'CONTAINER_OUTPUT' && event.emitted.type === 'Exited',
    isRunning: ({ event }) => event.type === 'CONTAINER_OUTPUT' && event.emitted.type === 'Running',
    allStopped: ({ context }) => context.containers.every((t) => !t.ref),
    shortensGrace: ({ context, event }) => event.type === 'DELETE_REQUESTED' && Math.max(1, Math.floor(event.gracePeriodSeconds)) < (context.gracePeriodSeconds ?? Infinity),
  },
}).createMachine({
  id: 'podWorker',
  context: ({ input }) => {
    const pod = input.pod
    const meta = pod.metadata ?? {}
    const conditionSince: PodWorkerContext['conditionSince'] = {}
    for (const c of pod.status?.conditions ?? []) {
      if (KUBELET_CONDITIONS.has(c.type) && c.lastTransitionTime) conditionSince[c.type] = { status: c.status, at: Date.parse(c.lastTransitionTime) }
    }
    return {
      namespace: meta.namespace ?? 'default',
      name: meta.name ?? '',
      uid: meta.uid ?? `${meta.namespace ?? 'default'}_${meta.name ?? ''}`,
      pod,
      restartPolicy: (pod.spec?.restartPolicy as RestartPolicy | undefined) ?? 'Always',
      nodeName: input.nodeName,
      hostIP: input.hostIP,
      podIP: input.podIP ?? input.hostIP,
      podDir: input.podDir,
      backOff: { ...DEFAULT_BACKOFF, ...input.backOff },
      now: input.at,
      ...(pod.status?.startTime ? { startTime: Date.parse(pod.status.startTime) } : {}),
      containers: initialTracks(pod, input.at),
      conditionSince,
      phase: 'Pending' as PodPhase,
      gone: false,
    }
  },
  initial: 'Pending',
  on: {
    CONTAINER_STARTED: { actions: ['trackTime', 'forwardToContainer'] },
    CONTAINER_EXITED: { actions: ['trackTime', 'forwardToContainer'] },
    CONTAINER_SPAWN_FAILED: { actions: ['trackTime', 'forwardToContainer'] },
    CONTAINER_OUTPUT: [
      { guard: 'isRunning', actions: ['trackTime', 'recordRunning', { type: 'report', params: { podIsTerminal: false, sandboxReady: true } }] },
      { guard: 'isExited', actions: ['trackTime', 'stopExitedChildren', 'settleExit', { type: 'report', params: { podIsTerminal: false, sandboxReady: true } }] },
      { actions: 'relayCommand' },
    ],
  },
  states: {
    Pending: {
      on: {
        START: {
          target: 'ContainerCreating',
          actions: [
            'trackTime',
            assign({ startTime: ({ context, event }) => context.startTime ?? event.at }),
            'startContainers',
            { type: 'report', params: { podIsTerminal: false, sandboxReady: true } },
          ],
        },
        DELETE_REQUESTED: { target: 'Terminated', actions: ['trackTime', 'recordDeletion'] },
        POD_GONE: { target: 'Terminated', actions: ['trackTime', 'recordDeletion'] },
      },
    },
    /** Phase Pending: some container has not started yet (ContainerCreating). */
    ContainerCreating: {
      always: [
        { guard: 'phaseSucceeded', target: 'Succeeded' },
        { guard: 'phaseFailed', target: 'Failed' },
        { guard: 'phaseRunning', target: 'Running' },
      ],
      on: {
        DELETE_REQUESTED: { target: 'Terminating', actions: ['trackTime', 'recordDeletion'] },
        POD_GONE: { target: 'Terminating', actions: ['trackTime', 'recordDeletion'] },
      },
    },
    /** Phase Running: containers run or are being restarted (CrashLoopBackOff included). */
    Running: {
      always: [
        { guard: 'phaseSucceeded', target: 'Succeeded' },
        { guard: 'phaseFailed', target: 'Failed' },
      ],
      on: {
        DELETE_REQUESTED: { target: 'Terminating', actions: ['trackTime', 'recordDeletion'] },
        POD_GONE: { target: 'Terminating', actions: ['trackTime', 'recordDeletion'] },
      },
    },
    /** Terminal: every container exited and none will restart. Waits for the deletion. */
    Succeeded: {
      on: {
        DELETE_REQUESTED: { target: 'Terminated', actions: ['trackTime', 'recordDeletion'] },
        POD_GONE: { target: 'Terminated', actions: ['trackTime', 'recordDeletion'] },
      },
    },
    Failed: {
      on: {
        DELETE_REQUESTED: { target: 'Terminated', actions: ['trackTime', 'recordDeletion'] },
        POD_GONE: { target: 'Terminated', actions: ['trackTime', 'recordDeletion'] },
      },
    },
    /** SIGTERM sent to every container; SIGKILL after the grace period (the children's timers). */
    Terminating: {
      entry: 'stopContainers',
      always: { guard: 'allStopped', target: 'Terminated' },
      on: {
        CONTAINER_OUTPUT: [
          { guard: 'isRunning', actions: ['trackTime', 'recordRunning', { type: 'report', params: { podIsTerminal: false, sandboxReady: true } }] },
          { guard: 'isExited', actions: ['trackTime', 'stopExitedChildren', 'recordExitWhileTerminating', { type: 'report', params: { podIsTerminal: false, sandboxReady: true } }] },
          { actions: 'relayCommand' },
        ],
        DELETE_REQUESTED: { guard: 'shortensGrace', actions: ['trackTime', 'recordDeletion', 'stopContainers'] },
        POD_GONE: { actions: ['trackTime', 'recordDeletion', 'stopContainers'] },
      },
    },
    /** All stopped: the final status (terminal phase), then the host confirms the deletion. */
    Terminated: {
      type: 'final',
      entry: ['finalizeContainers', { type: 'report', params: { podIsTerminal: true, sandboxReady: false } }, 'confirmTermination'],
    },
  },
})

export type PodWorkerMachine = typeof podWorkerMachine
