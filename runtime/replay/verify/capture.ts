import { planWrite, targetName, type WritePlan } from '../../../actors/api-server/plan.js'
import { logSubject, parseLogSubject, type ApiRequest, type ApiResponse, type RequestContext } from '../../../events/index.js'
import type { ApiClient } from '../../api/client.js'
import type { Clock } from '../../clock/clock.js'
import { objectStoreKey, type ClusterStore } from '../../projections/cluster-store.js'
import type { VerifiedActor } from './actors.js'
import type { ProducedWrite } from './compare.js'

/** A request a replayed controller issued that would append an event: held until the log shows it. */
export interface Produced {
  seq: number
  actor: VerifiedActor
  request: ApiRequest
  context: RequestContext
  /** Virtual time it was issued. */
  at: number
  /** The last revision applied when it was issued. */
  afterRev: number
  resolve(r: ApiResponse): void
}

/**
 * The api-server the replayed controllers talk to. Nothing is executed: each request is planned
 * with the api-server's own pure `planWrite` against the replay's projection. One that would
 * append nothing (already so, not found, a conflict) is answered at once, as the api-server would;
 * one that would append is a DECISION, held (unanswered, like a request in flight) until the
 * verifier matches it with the recorded event and answers it with that event's outcome.
 */
export class DecisionCapture {
  readonly pending: Produced[] = []
  private seq = 0

  constructor(
    private readonly store: ClusterStore,
    private readonly clock: Clock,
  ) {}

  /** The client a controller host gets: its requests carry `user`, as over NATS. */
  client(actor: VerifiedActor, user: string): ApiClient {
    return {
      request: (request, context = {}) =>
        new Promise<ApiResponse>((resolve) => {
          const ctx: RequestContext = { user, ...(context.cause ? { cause: context.cause } : {}) }
          const p: Produced = { seq: this.seq++, actor, request, context: ctx, at: this.clock.now(), afterRev: this.store.rev, resolve }
          const plan = this.plan(p)
          if (plan.kind === 'respond') return resolve(plan.response)
          this.pending.push(p)
        }),
    }
  }

  /** What the api-server would do with `p` now. Identity (uid, generated suffix) is fixed: compared decisions ignore it. */
  plan(p: Produced): WritePlan {
    const name = targetName(p.request, 'replay')
    const ns = p.request.resource === 'nodes' ? undefined : ('namespace' in p.request && p.request.namespace) || 'default'
    const current = name ? this.store.resource(p.request.resource).get(objectStoreKey(ns, name)) : undefined
    return planWrite({
      request: p.request,
      context: p.context,
      now: this.clock.now(),
      uid: 'replay',
      name,
      view: { current: current as never, subjectRev: name ? this.store.subjectRev(logSubject(p.request.resource, ns, name)) : 0 },
    })
  }

  /** `p` as the event it would append now, or undefined when it would append nothing any more. */
  write(p: Produced): ProducedWrite | undefined {
    const plan = this.plan(p)
    return plan.kind === 'append' ? { request: p.request, subject: plan.subject, event: plan.event } : undefined
  }

  /** Takes `p` out of the pending set and answers it. */
  settle(p: Produced, response: ApiResponse): void {
    const i = this.pending.indexOf(p)
    if (i >= 0) this.pending.splice(i, 1)
    p.resolve(response)
  }

  /** The answer once the log holds the decision's event (`rev` on `subject`): the object as the projection now has it. */
  accepted(subject: string, rev: number, code: number): ApiResponse {
    const ref = parseLogSubject(subject)
    const object = ref ? this.store.resource(ref.resource).get(objectStoreKey(ref.namespace, ref.name)) : undefined
    return { ok: true, code, object, rev }
  }
}
