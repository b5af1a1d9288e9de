import { planWrite, targetName } from '../../actors/api-server/plan.js'
import type { TolerationSeconds } from '../../actors/api-server/defaults.js'
import { failureStatus, logSubject, type ApiRequest, type ApiResponse, type LogEvent, type RequestContext } from '../../events/index.js'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import { objectStoreKey, type ClusterStore } from '../projections/cluster-store.js'

/**
 * The api-server for simulations on the virtual clock: the same pure `planWrite` the real one runs,
 * with an in-memory log (an array; revision = index + 1) instead of JetStream, applied to the
 * projection at once. Deterministic: uids and generated names come from counters, time from the
 * clock. Used by benchmarks and `simulate` only; everything a user runs goes through NATS.
 */
export class MemoryApiServer implements ApiClient {
  readonly log: { subject: string; event: LogEvent }[] = []
  private uid = 0
  private suffix = 0
  writes = 0

  constructor(
    private readonly store: ClusterStore,
    private readonly clock: Clock,
    private readonly tolerationSeconds?: TolerationSeconds,
  ) {}

  private readonly queue: { request: ApiRequest; context: Partial<RequestContext>; resolve(r: ApiResponse): void }[] = []
  private draining = false

  /**
   * Requests are queued and applied one at a time on a microtask, never inside the caller's stack:
   * applying notifies every watcher, and a watcher that wrote back synchronously would otherwise
   * make later watchers see the second change before the first (as a NATS consumer never would).
   */
  request(request: ApiRequest, context: Partial<RequestContext> = {}): Promise<ApiResponse> {
    return new Promise((resolve) => {
      this.queue.push({ request, context, resolve })
      if (!this.draining) {
        this.draining = true
        queueMicrotask(() => this.drain())
      }
    })
  }

  private drain(): void {
    // An index, not shift(): shift is O(n) and a burst queues tens of thousands of requests.
    for (let i = 0; i < this.queue.length; i++) {
      const next = this.queue[i]
      next.resolve(this.requestSync(next.request, next.context))
    }
    this.queue.length = 0
    this.draining = false
  }

  requestSync(request: ApiRequest, context: Partial<RequestContext> = {}): ApiResponse {
    const suffix = (this.suffix++).toString(36).padStart(5, '0')
    const name = targetName(request, suffix)
    const ns = request.resource === 'nodes' ? undefined : ('namespace' in request && request.namespace) || 'default'
    const subject = logSubject(request.resource, ns, name)
    const current = name ? this.store.resource(request.resource).get(objectStoreKey(ns, name)) : undefined
    const plan = planWrite({
      request,
      context: { user: context.user ?? 'system:anonymous', ...(context.cause ? { cause: context.cause } : {}) },
      now: this.clock.now(),
      uid: `sim-${(this.uid++).toString(16).padStart(8, '0')}`,
      name,
      tolerationSeconds: this.tolerationSeconds,
      view: { current: current as never, subjectRev: this.store.subjectRev(subject) },
    })
    if (plan.kind === 'respond') return plan.response
    if (plan.expectedRev !== this.store.subjectRev(plan.subject)) {
      return { ok: false, status: failureStatus('Conflict', `Operation cannot be fulfilled on ${request.resource} "${name}": the object has been modified`) }
    }
    this.log.push({ subject: plan.subject, event: plan.event })
    const rev = this.log.length
    this.writes++
    this.store.apply({ rev, subject: plan.subject, event: plan.event })
    const object = this.store.resource(request.resource).get(objectStoreKey(ns, name)) ?? current
    return { ok: true, code: plan.code, object, rev }
  }
}
