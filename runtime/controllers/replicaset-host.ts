import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { createActor, type Actor } from 'xstate'
import { isApiError, type ApiRequest, type ApiResponse } from '../../events/index.js'
import {
  podKey,
  replicaSetControllerMachine,
  type CreatePod,
  type DeletePod,
  type ReplicaSetControllerConfig,
  type ReplicaSetControllerEvent,
  type ReplicaSetControllerMachine,
  type UpdateReplicaSetStatus,
} from '../../actors/controllers/replicaset/replicaset.js'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import type { Logger } from '../log.js'
import type { Informer } from '../projections/types.js'
import { hostedActor } from '../hosted-actor.js'
import { inspectActor, type Inspection } from '../inspect/inspection.js'

/** The user the controller's requests carry (Kubernetes' service account name, as a user). */
export const REPLICASET_CONTROLLER_USER = 'system:replicaset-controller'
/** Actor id, and the id its log lines carry. */
export const REPLICASET_CONTROLLER_ID = 'replicaset-controller'

export interface ReplicaSetControllerDeps {
  api: ApiClient
  /** This process's inspection (absent in the in-memory simulation). */
  inspection?: Inspection
  replicaSets: Informer<ReplicaSet>
  pods: Informer<Pod>
  clock: Clock
  /** Lines go out under `<log.id>/replicaset-controller` (or `log` itself if its id already ends so). */
  log: Logger
  /** Overrides of the machine's defaults (burst, backoff, expectations timeout). */
  config?: Partial<ReplicaSetControllerConfig>
}

export interface ReplicaSetControllerHost {
  actor: Actor<ReplicaSetControllerMachine>
  stop(): void
}

/** An api-server answer as the host uses it; `code` 0 when the request never got an answer. */
type Answer = { ok: true; object: unknown } | { ok: false; code: number; reason: string }

/**
 * Runs the ReplicaSet controller machine: informer changes become machine events (ReplicaSets
 * before pods, so the initial list of pods meets their owners), `CreatePod` / `DeletePod` /
 * `UpdateReplicaSetStatus` become api-server requests whose cause is the command's, and each
 * answer comes back as an event (the machine requeues failed syncs with backoff). One log line
 * per request.
 */
export function startReplicaSetController(deps: ReplicaSetControllerDeps): ReplicaSetControllerHost {
  const { api, replicaSets, pods, clock } = deps
  const log = deps.log.id.endsWith(REPLICASET_CONTROLLER_ID) ? deps.log : deps.log.child(REPLICASET_CONTROLLER_ID)
  const actor = inspectActor(deps.inspection, createActor(replicaSetControllerMachine, { clock, id: REPLICASET_CONTROLLER_ID, input: deps.config }), { id: REPLICASET_CONTROLLER_ID })
  const host = hostedActor<ReplicaSetControllerEvent>(actor)
  const send = host.send

  /** The api-server's answer, a failure as its code and message; a client that throws answers too. */
  async function request(req: ApiRequest, cause: number): Promise<Answer> {
    let res: ApiResponse
    try {
      res = await api.request(req, { user: REPLICASET_CONTROLLER_USER, ...(cause > 0 ? { cause } : {}) })
    } catch (err) {
      if (!isApiError(err)) return { ok: false, code: 0, reason: err instanceof Error ? err.message : String(err) }
      res = { ok: false, status: err.status }
    }
    if (res.ok) return { ok: true, object: res.object }
    return { ok: false, code: res.status.code ?? 500, reason: res.status.message ?? String(res.status.reason ?? 'unknown') }
  }

  async function create(cmd: CreatePod): Promise<void> {
    const res = await request({ verb: 'create', resource: 'pods', namespace: cmd.namespace, object: cmd.pod }, cmd.cause)
    if (res.ok) {
      const name = (res.object as Pod | undefined)?.metadata?.name
      log.info('pod created', { replicaset: cmd.rsKey, pod: `${cmd.namespace}/${name ?? '?'}`, cause: cmd.cause })
      send({ type: 'CREATE_DONE', rsKey: cmd.rsKey, now: clock.now() })
      return
    }
    const { code, reason } = res
    log.warn('pod create failed', { replicaset: cmd.rsKey, code, reason })
    send({ type: 'CREATE_FAILED', rsKey: cmd.rsKey, reason, now: clock.now() })
  }

  async function remove(cmd: DeletePod): Promise<void> {
    const key = `${cmd.namespace}/${cmd.name}`
    const res = await request({ verb: 'delete', resource: 'pods', namespace: cmd.namespace, name: cmd.name, ...(cmd.uid ? { uid: cmd.uid } : {}) }, cmd.cause)
    if (res.ok) {
      log.info('pod deleted', { replicaset: cmd.rsKey, pod: key, cause: cmd.cause })
      send({ type: 'DELETE_DONE', rsKey: cmd.rsKey, podKey: key, now: clock.now() })
      return
    }
    const { code, reason } = res
    // 404: gone already; 409 on a uid precondition: the pod of that uid is gone (a namesake replaced it).
    const notFound = code === 404 || code === 409
    log[notFound ? 'info' : 'warn']('pod delete failed', { replicaset: cmd.rsKey, pod: key, code, reason })
    send({ type: 'DELETE_FAILED', rsKey: cmd.rsKey, podKey: key, reason, notFound, now: clock.now() })
  }

  async function updateStatus(cmd: UpdateReplicaSetStatus): Promise<void> {
    const rsKey = `${cmd.namespace}/${cmd.name}`
    const res = await request({ verb: 'updateStatus', resource: 'replicasets', namespace: cmd.namespace, name: cmd.name, status: cmd.status }, cmd.cause)
    const s = cmd.status
    if (res.ok) {
      log.info('status updated', { replicaset: rsKey, replicas: s.replicas, ready: s.readyReplicas ?? 0, available: s.availableReplicas ?? 0, cause: cmd.cause })
      return
    }
    const { code, reason } = res
    log.warn('status update failed', { replicaset: rsKey, code, reason })
    // A deleted ReplicaSet has no status to write; anything else is retried.
    if (code !== 404) send({ type: 'STATUS_FAILED', rsKey, reason, now: clock.now() })
  }

  actor.on('CreatePod', (cmd) => void create(cmd))
  actor.on('DeletePod', (cmd) => void remove(cmd))
  actor.on('UpdateReplicaSetStatus', (cmd) => void updateStatus(cmd))
  actor.start()

  host.feed(
    replicaSets.changes$.subscribe((c) => {
      const rs = c.object
      send(
        c.type === 'DELETED'
          ? { type: 'RS_REMOVED', key: `${rs.metadata?.namespace ?? 'default'}/${rs.metadata?.name ?? ''}`, rev: c.rev, now: clock.now() }
          : { type: 'RS_UPSERTED', rs, rev: c.rev, now: clock.now() },
      )
    }),
    pods.changes$.subscribe((c) =>
      send(
        c.type === 'DELETED'
          ? { type: 'POD_REMOVED', key: podKey(c.object), pod: c.object, rev: c.rev, now: clock.now() }
          : { type: 'POD_UPSERTED', pod: c.object, rev: c.rev, now: clock.now() },
      ),
    ),
  )

  return { actor, stop: host.stop }
}
