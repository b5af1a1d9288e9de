import type { JetStreamClient } from '@nats-io/jetstream'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import { randomUUID } from 'node:crypto'
import { createActor, type Actor } from 'xstate'
import { apiServerMachine, type ApiServerCommand } from '../../actors/api-server/api-server.js'
import { targetName } from '../../actors/api-server/plan.js'
import type { TolerationSeconds } from '../../actors/api-server/defaults.js'
import {
  API_REQUEST_SUBJECT,
  decode,
  encode,
  failureStatus,
  isMalformedFrame,
  logSubject,
  parseLogSubject,
  type ApiEnvelope,
  type ApiRequest,
  type ApiResponse,
  type RequestContext,
} from '../../events/index.js'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import { appendEvent, isLogConflict } from '../event-log/append.js'
import type { Logger } from '../log.js'
import { objectStoreKey, type ClusterStore } from '../projections/cluster-store.js'
import { reduceObject } from '../projections/reduce.js'
import { inspectActor, type Inspection } from '../inspect/inspection.js'

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789' // Kubernetes' generateName alphabet: no vowels, no look-alikes
const MAX_ATTEMPTS = 6

export function randomSuffix(n = 5): string {
  let s = ''
  for (let i = 0; i < n; i++) s += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)]
  return s
}

/**
 * Runs the api-server machine: looks up the current object for each write, executes the machine's
 * `Append` against the log with compare-and-set, retries internal writes whose view was stale,
 * and answers. Also serves the same requests to other processes over NATS.
 */
export class ApiServerHost implements ApiClient {
  private readonly actor: Actor<typeof apiServerMachine>
  private readonly pending = new Map<number, (r: ApiResponse) => void>()
  private readonly views = new Map<number, { current: unknown }>()
  private nextId = 1
  private sub?: Subscription
  /** Frames on the API subject that did not decode: counted and answered 400, never fatal. */
  malformed = 0

  constructor(
    private readonly deps: { js: JetStreamClient; store: ClusterStore; clock: Clock; log: Logger; readOnly?: boolean; tolerationSeconds?: TolerationSeconds; inspection?: Inspection },
  ) {
    this.actor = inspectActor(deps.inspection, createActor(apiServerMachine, { input: { readOnly: deps.readOnly }, clock: deps.clock, systemId: 'api-server' } as never), { id: 'api-server' })
    this.actor.on('Append', (c) => this.enqueue(c))
    this.actor.on('Respond', (c) => this.finish(c.id, c.response))
    this.actor.start()
  }

  /** The projection has replayed the log: start serving. */
  ready(): void {
    this.actor.send({ type: 'LOG_CAUGHT_UP' })
  }

  get state(): string {
    return String(this.actor.getSnapshot().value)
  }

  /**
   * Writes to one object from this api-server run one after another, each seeing the previous one
   * applied (Kubernetes' GuaranteedUpdate loop, without the wasted attempts): a compare-and-set
   * conflict then only comes from another writer of the log, and is retried on a fresh view.
   */
  private readonly perObject = new Map<string, Promise<unknown>>()

  request(request: ApiRequest, context: Partial<RequestContext> = {}): Promise<ApiResponse> {
    const suffix = randomSuffix()
    const key = `${request.resource}/${('namespace' in request && request.namespace) || ''}/${targetName(request, suffix)}`
    const previous = this.perObject.get(key)
    const run = () => this.write(request, context, suffix)
    const result = previous ? previous.then(run, run) : run()
    this.perObject.set(key, result)
    void result.finally(() => {
      if (this.perObject.get(key) === result) this.perObject.delete(key)
    })
    return result
  }

  private async write(request: ApiRequest, context: Partial<RequestContext>, suffix: string): Promise<ApiResponse> {
    const ctx: RequestContext = { user: context.user ?? 'system:anonymous', ...(context.cause ? { cause: context.cause } : {}) }
    for (let attempt = 1; ; attempt++) {
      const res = await this.once(request, ctx, suffix)
      if (res !== 'retry') return res
      if (attempt >= MAX_ATTEMPTS) {
        return { ok: false, status: failureStatus('Conflict', 'the object kept changing while the request was applied; try again') }
      }
      // Our view was older than the log: let the projection catch up, then plan again.
      await this.deps.store.waitFor(this.deps.store.rev + 1, 50 * attempt)
    }
  }

  private once(request: ApiRequest, context: RequestContext, suffix: string): Promise<ApiResponse | 'retry'> {
    const id = this.nextId++
    const name = targetName(request, suffix)
    const ns = request.resource === 'nodes' ? undefined : (('namespace' in request && request.namespace) || 'default')
    const store = this.deps.store
    const current = name ? store.resource(request.resource).get(objectStoreKey(ns, name)) : undefined
    const subjectRev = name ? store.subjectRev(logSubject(request.resource, ns, name)) : 0
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (r: ApiResponse) => void)
      this.views.set(id, { current })
      this.actor.send({
        type: 'WRITE',
        id,
        request,
        context,
        now: this.deps.clock.now(),
        uid: randomUUID(),
        name,
        tolerationSeconds: this.deps.tolerationSeconds,
        view: { current: current as never, subjectRev },
      })
    })
  }

  /**
   * Appends are issued together once per event-loop turn: nats.js writes to its socket once per
   * microtask flush, so publishes issued from separate HTTP requests would each cost a syscall
   * (measured as the largest single cost under write load); issued in one synchronous batch they
   * share one write.
   */
  private batch: Extract<ApiServerCommand, { type: 'Append' }>[] = []
  private enqueue(c: Extract<ApiServerCommand, { type: 'Append' }>): void {
    this.batch.push(c)
    if (this.batch.length === 1) {
      setImmediate(() => {
        const batch = this.batch
        this.batch = []
        for (const b of batch) void this.execute(b)
      })
    }
  }

  private async execute(c: Extract<ApiServerCommand, { type: 'Append' }>): Promise<void> {
    const view = this.views.get(c.id)
    try {
      const rev = await appendEvent(this.deps.js, c.subject, c.event, c.expectedRev)
      const object = reduceObject(view?.current, c.event, rev)
      // Read-your-writes: the caller's next GET must see what it just wrote.
      await this.deps.store.waitFor(rev, 2_000)
      const ref = parseLogSubject(c.subject)
      this.deps.log.debug(c.event.type, { rev, object: ref && `${ref.resource}/${ref.namespace ?? ''}/${ref.name}`, by: c.event.by })
      this.finish(c.id, { ok: true, code: c.code, object: object ?? view?.current, rev })
    } catch (e) {
      if (isLogConflict(e)) {
        if (c.userRev) {
          const ref = parseLogSubject(c.subject)
          this.finish(c.id, {
            ok: false,
            status: failureStatus(
              'Conflict',
              `Operation cannot be fulfilled on ${ref?.resource} "${ref?.name}": the object has been modified; please apply your changes to the latest version and try again`,
            ),
          })
        } else this.finish(c.id, 'retry')
        return
      }
      this.deps.log.error('append failed', { subject: c.subject, error: (e as Error).message })
      this.finish(c.id, { ok: false, status: failureStatus('InternalError', `writing the event log failed: ${(e as Error).message}`) })
    }
  }

  private finish(id: number, r: ApiResponse | 'retry'): void {
    const resolve = this.pending.get(id)
    this.pending.delete(id)
    this.views.delete(id)
    resolve?.(r as ApiResponse)
  }

  /** Answers `ApiEnvelope` requests from other processes (kubelets, a remote scheduler) over NATS. */
  serveNats(nc: NatsConnection): void {
    this.sub = nc.subscribe(API_REQUEST_SUBJECT, {
      queue: 'api-server',
      callback: (err, m) => {
        if (err) return
        let env: ApiEnvelope
        try {
          env = decode<ApiEnvelope>(m.data)
          if (!env || typeof env !== 'object' || !env.request || typeof env.request.verb !== 'string') throw new Error('not an API request')
        } catch (e) {
          this.malformed++
          this.deps.log.warn('malformed API request dropped', { reason: isMalformedFrame(e) ? e.code : (e as Error).message })
          m.respond(encode({ ok: false, status: failureStatus('BadRequest', 'malformed request frame') } satisfies ApiResponse))
          return
        }
        this.request(env.request, env.context).then(
          (res) => m.respond(encode(res)),
          (e) => m.respond(encode({ ok: false, status: failureStatus('InternalError', (e as Error).message) } satisfies ApiResponse)),
        )
      },
    })
  }

  stop(): void {
    this.sub?.unsubscribe()
    this.actor.stop()
    for (const [id] of this.pending) this.finish(id, { ok: false, status: failureStatus('ServiceUnavailable', 'the api-server is shutting down') })
  }
}
