import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import { createActor, type Actor } from 'xstate'
import { isApiError, type ApiRequest, type ApiResponse } from '../../events/index.js'
import { podKey, schedulerMachine, type SchedulerCommand, type SchedulerEvent, type SchedulerConfig, type SchedulerMachine } from '../../actors/scheduler/scheduler.js'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import type { Logger } from '../log.js'
import type { Informer } from '../projections/types.js'
import { hostedActor } from '../hosted-actor.js'
import { inspectActor, type Inspection } from '../inspect/inspection.js'

/** The user the scheduler's requests carry (Kubernetes' own). */
export const SCHEDULER_USER = 'system:kube-scheduler'

export interface SchedulerDeps {
  api: ApiClient
  /** This process's inspection (absent in the in-memory simulation). */
  inspection?: Inspection
  pods: Informer<Pod>
  nodes: Informer<Node>
  clock: Clock
  /** Lines go out under this logger's id; pass `logger('scheduler')` or a child named `scheduler`. */
  log: Logger
  /** Overrides of the machine's defaults (backoffs, scheduler name, decision history). */
  config?: Partial<SchedulerConfig>
}

export interface SchedulerHost {
  actor: Actor<SchedulerMachine>
  stop(): void
}

type Command<T extends SchedulerCommand['type']> = Extract<SchedulerCommand, { type: T }>

/**
 * Runs the scheduler machine: informer changes become machine events, emitted commands become
 * api-server requests, their results come back as events. Nodes are subscribed before pods so the
 * initial list of pods meets a known set of nodes (no spurious "no nodes available").
 */
export function startScheduler(deps: SchedulerDeps): SchedulerHost {
  const { api, pods, nodes, clock, log } = deps
  const actor = inspectActor(deps.inspection, createActor(schedulerMachine, { clock, id: 'scheduler', input: deps.config }), { id: 'scheduler' })
  const host = hostedActor<SchedulerEvent>(actor)
  const send = host.send
  /** `RequestContext.cause` is a positive revision; objects of an initial list may carry none. */
  const context = (cause: number) => ({ user: SCHEDULER_USER, ...(cause > 0 ? { cause } : {}) })

  async function request(req: ApiRequest, cause: number): Promise<ApiResponse> {
    try {
      return await api.request(req, context(cause))
    } catch (err) {
      // A client that throws instead of answering: keep its status when it has one.
      if (isApiError(err)) return { ok: false, status: err.status }
      throw err
    }
  }

  async function bind(cmd: Command<'BindPod'>): Promise<void> {
    const key = `${cmd.namespace}/${cmd.name}`
    const { uid, nodeName } = cmd
    let res: ApiResponse
    try {
      res = await request({ verb: 'bind', resource: 'pods', namespace: cmd.namespace, name: cmd.name, nodeName, ...(uid ? { uid } : {}) }, cmd.cause)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      log.warn('binding failed', { pod: key, node: nodeName, reason })
      send({ type: 'BIND_FAILED', key, uid, reason, retryable: true })
      return
    }
    if (res.ok) {
      log.info('bound', { pod: key, node: nodeName })
      send({ type: 'BIND_SUCCEEDED', key, uid })
      return
    }
    const code = res.status.code ?? 500
    // 409: the pod changed (or is bound already); 404: it is gone. The informer will say which.
    const retryable = code !== 409 && code !== 404
    const reason = res.status.message ?? String(res.status.reason ?? code)
    log.warn('binding refused', { pod: key, node: nodeName, code, reason, retry: retryable })
    send({ type: 'BIND_FAILED', key, uid, reason, retryable })
  }

  async function reportUnschedulable(cmd: Command<'PodUnschedulable'>): Promise<void> {
    const key = `${cmd.namespace}/${cmd.name}`
    const current = pods.get(key)
    // Gone, replaced, or bound meanwhile: the condition would be stale.
    if (!current || (cmd.uid && current.metadata?.uid !== cmd.uid) || current.spec?.nodeName) return
    const before = current.status?.conditions ?? []
    const previous = before.find((c) => c.type === 'PodScheduled')
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: cmd.message,
      // As `UpdatePodCondition`: the transition time moves only when the status does.
      lastTransitionTime: previous?.status === 'False' && previous.lastTransitionTime ? previous.lastTransitionTime : new Date(clock.now()).toISOString(),
    }
    const conditions = previous ? before.map((c) => (c.type === 'PodScheduled' ? condition : c)) : [...before, condition]
    const status = { ...current.status, phase: current.status?.phase ?? 'Pending', conditions }
    try {
      const res = await request({ verb: 'updateStatus', resource: 'pods', namespace: cmd.namespace, name: cmd.name, status }, cmd.cause)
      // Informational only: the pod stays queued either way, and the next distinct message writes again.
      if (!res.ok) log.warn('unschedulable status not written', { pod: key, code: res.status.code, reason: res.status.message })
    } catch (err) {
      log.warn('unschedulable status not written', { pod: key, reason: err instanceof Error ? err.message : String(err) })
    }
  }

  actor.on('BindPod', (cmd) => void bind(cmd))
  actor.on('PodUnschedulable', (cmd) => void reportUnschedulable(cmd))
  actor.start()

  // Pod changes are delivered in batches, one per microtask, in order (a node change flushes the
  // batch first so the machine sees pods and nodes in log order).
  let batch: Extract<SchedulerEvent, { type: 'PODS_CHANGED' }>['changes'] = []
  const flush = () => {
    if (batch.length === 0) return
    const changes = batch
    batch = []
    send(changes.length === 1 && 'pod' in changes[0] ? { type: 'POD_UPSERTED', ...changes[0] } : { type: 'PODS_CHANGED', changes })
  }
  host.feed(
    nodes.changes$.subscribe((c) => {
      flush()
      send(c.type === 'DELETED' ? { type: 'NODE_REMOVED', name: c.object.metadata?.name ?? '' } : { type: 'NODE_UPSERTED', node: c.object })
    }),
    pods.changes$.subscribe((c) => {
      batch.push(c.type === 'DELETED' ? { removed: podKey(c.object) } : { pod: c.object, rev: c.rev })
      if (batch.length === 1) queueMicrotask(flush)
    }),
  )

  return { actor, stop: host.stop }
}
