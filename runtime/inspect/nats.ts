import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import {
  decode,
  encode,
  inspectSubject,
  INSPECT_GET_SUBJECT,
  INSPECT_LIST_SUBJECT,
  INSPECT_SET_SUBJECT,
  type InspectionGetRequest,
  type InspectionMessage,
  type InspectionMode,
  type InspectionSetRequest,
} from '../../events/index.js'
import type { Logger } from '../log.js'
import { Inspection } from './inspection.js'

export interface NatsInspection {
  inspection: Inspection
  /** Messages published so far (each a batch of one actor's messages). */
  readonly published: number
  stop(): void
}

/**
 * One process's inspection on NATS: messages are batched per actor and published once per
 * event-loop turn on `kstate.inspect.<id>` (msgpack arrays); list / get / set requests on
 * `kstate.inspect-control.*` are answered from the registry.
 */
export function startInspection(o: { nc: NatsConnection; process: string; clock: { now(): number }; mode?: InspectionMode; log: Logger }): NatsInspection {
  const { nc, log } = o
  let pending = new Map<string, InspectionMessage[]>()
  let published = 0
  let stopped = false
  const flush = () => {
    const batch = pending
    pending = new Map()
    if (stopped && nc.isClosed()) return
    for (const [id, msgs] of batch) {
      try {
        nc.publish(inspectSubject(id), encode(msgs))
        published++
      } catch (e) {
        // A closed or reconnecting connection: inspection is best effort, never the actor's problem.
        log.debug('inspection not published', { actor: id, error: (e as Error).message })
      }
    }
  }
  const inspection = new Inspection({
    process: o.process,
    clock: o.clock,
    mode: o.mode,
    sink(msg) {
      let list = pending.get(msg.id)
      if (!list) {
        if (pending.size === 0) setImmediate(flush)
        pending.set(msg.id, (list = []))
      }
      list.push(msg)
    },
  })

  const subs: Subscription[] = [
    nc.subscribe(INSPECT_LIST_SUBJECT, { callback: (_e, m) => void m.respond(encode(inspection.list())) }),
    nc.subscribe(INSPECT_GET_SUBJECT, {
      callback: (_e, m) => {
        let req: InspectionGetRequest
        try {
          req = decode<InspectionGetRequest>(m.data)
        } catch {
          return
        }
        const actor = typeof req?.id === 'string' ? inspection.get(req.id) : undefined
        if (actor) m.respond(encode(actor))
      },
    }),
    nc.subscribe(INSPECT_SET_SUBJECT, {
      callback: (_e, m) => {
        try {
          const req = decode<InspectionSetRequest>(m.data)
          const reply = inspection.set(req)
          if (reply.changed.length > 0) log.info('inspection mode changed', { actors: reply.changed.length, mode: req.mode.kind })
          m.respond(encode(reply))
        } catch (e) {
          log.warn('bad inspection control request', { error: (e as Error).message })
        }
      },
    }),
  ]
  return {
    inspection,
    get published() {
      return published
    },
    stop() {
      if (stopped) return
      stopped = true
      for (const s of subs) s.unsubscribe()
      flush()
    },
  }
}
