import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { createActor, type Actor } from 'xstate'
import { isApiError, type ApiResponse } from '../../events/index.js'
import {
  podKey,
  taintEvictionMachine,
  taintId,
  type EvictPod,
  type TaintEvictionConfig,
  type TaintEvictionEvent,
  type TaintEvictionMachine,
} from '../../actors/controllers/taint-eviction/taint-eviction.js'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import type { Logger } from '../log.js'
import type { Informer, ObjectChange } from '../projections/types.js'
import { hostedActor } from '../hosted-actor.js'
import { inspectActor, type Inspection } from '../inspect/inspection.js'

/** The user the controller's requests carry (Kubernetes' service account name, as a user). */
export const TAINT_EVICTION_USER = 'system:taint-eviction-controller'
/** Actor id, and the id its log lines carry. */
export const TAINT_EVICTION_ID = 'taint-eviction-controller'

export interface TaintEvictionDeps {
  api: ApiClient
  /** This process's inspection (absent in the in-memory simulation). */
  inspection?: Inspection
  nodes: Informer<Node>
  pods: Informer<Pod>
  clock: Clock
  /** Lines go out under `<log.id>/taint-eviction-controller` (or `log` itself if its id already ends so). */
  log: Logger
  /** Overrides of the retry backoff. */
  config?: Partial<TaintEvictionConfig>
}

export interface TaintEvictionHost {
  actor: Actor<TaintEvictionMachine>
  stop(): void
}

/** The informer change of a node as a machine event: a `NodeTainted` change names the revision of its taint. */
export function nodeEvent(c: ObjectChange<Node>, now: number): TaintEvictionEvent {
  if (c.type === 'DELETED') return { type: 'NODE_REMOVED', name: c.object.metadata?.name ?? '' }
  const taintRevs = c.event?.type === 'NodeTainted' ? { [taintId(c.event.data.taint)]: c.rev } : undefined
  return { type: 'NODE_UPSERTED', node: c.object, rev: c.rev, now, ...(taintRevs ? { taintRevs } : {}) }
}

/**
 * Runs the taint-eviction machine: informer changes become machine events (nodes before pods, so
 * the initial list of pods meets the known taints), `EvictPod` becomes an `evict` request whose
 * cause is the `NodeTainted` revision, and its answer comes back as `EVICTED` / `EVICT_FAILED`
 * (the machine retries retryable failures after a backoff; 404 and 409 are dropped).
 */
export function startTaintEvictionController(deps: TaintEvictionDeps): TaintEvictionHost {
  const { api, nodes, pods, clock } = deps
  const log = deps.log.id.endsWith(TAINT_EVICTION_ID) ? deps.log : deps.log.child(TAINT_EVICTION_ID)
  const actor = inspectActor(deps.inspection, createActor(taintEvictionMachine, { clock, id: TAINT_EVICTION_ID, input: deps.config }), { id: TAINT_EVICTION_ID })
  const host = hostedActor<TaintEvictionEvent>(actor)
  const send = host.send

  async function evict(cmd: EvictPod): Promise<void> {
    const key = `${cmd.namespace}/${cmd.name}`
    const { uid, nodeName, reason, message } = cmd
    const taint = taintId(cmd.taint)
    let res: ApiResponse
    try {
      res = await api.request(
        { verb: 'evict', resource: 'pods', namespace: cmd.namespace, name: cmd.name, ...(uid ? { uid } : {}), reason, message },
        { user: TAINT_EVICTION_USER, ...(cmd.cause > 0 ? { cause: cmd.cause } : {}) },
      )
    } catch (err) {
      // A client that throws instead of answering: keep its status when it has one.
      if (!isApiError(err)) {
        log.warn('eviction failed', { pod: key, node: nodeName, taint, reason: err instanceof Error ? err.message : String(err), retry: true })
        send({ type: 'EVICT_FAILED', key, uid, retryable: true, now: clock.now() })
        return
      }
      res = { ok: false, status: err.status }
    }
    if (res.ok) {
      log.info('evicted', { pod: key, node: nodeName, taint, cause: cmd.cause })
      send({ type: 'EVICTED', key, uid })
      return
    }
    const code = res.status.code ?? 500
    // 404: the pod is gone; 409: it changed (another uid). The informer says what happens next.
    const retryable = code !== 404 && code !== 409
    log.warn('eviction refused', { pod: key, node: nodeName, taint, code, reason: res.status.message ?? res.status.reason, retry: retryable })
    send({ type: 'EVICT_FAILED', key, uid, retryable, now: clock.now() })
  }

  actor.on('EvictPod', (cmd) => void evict(cmd))
  actor.start()

  host.feed(
    nodes.changes$.subscribe((c) => send(nodeEvent(c, clock.now()))),
    pods.changes$.subscribe((c) =>
      send(c.type === 'DELETED' ? { type: 'POD_REMOVED', key: podKey(c.object) } : { type: 'POD_UPSERTED', pod: c.object, now: clock.now() }),
    ),
  )

  return { actor, stop: host.stop }
}
