/**
 * `pause ACTOR` for any actor, in any process: the actor stops processing but keeps its mailbox.
 * Every event reaching an XState actor — sent by the host, by another actor, or by its own `after`
 * timers — goes through its internal `_send`; while paused, that holds the events in order, and
 * resume hands them over in the same order. (The bus layer additionally holds the NATS input of
 * api-server, node-controller and kubelets, so their requests wait rather than time out unseen.)
 */
import type { AnyActorRef, EventObject } from 'xstate'
import type { FaultTable } from '../bus/fault-table.js'
import type { Inspection } from '../inspect/inspection.js'
import type { Logger } from '../log.js'

interface Sendable {
  _send(event: EventObject): void
}

interface Held {
  events: EventObject[]
  release(): void
}

const held = new WeakMap<AnyActorRef, Held>()

/** Holds the actor's events until the returned function is called; holding twice is a no-op. */
export function holdMailbox(ref: AnyActorRef): () => void {
  const existing = held.get(ref)
  if (existing) return existing.release
  const actor = ref as unknown as Sendable
  // An own property shadowing the prototype's `_send`: deleting it restores XState's.
  const original = actor._send.bind(actor)
  const h: Held = {
    events: [],
    release() {
      if (held.get(ref) !== h) return
      held.delete(ref)
      delete (actor as Partial<Sendable>)._send
      for (const e of h.events.splice(0)) original(e)
    },
  }
  actor._send = (e) => void h.events.push(e)
  held.set(ref, h)
  return h.release
}

/** Events waiting in a paused actor's mailbox (0 when it runs). */
export const heldEvents = (ref: AnyActorRef): number => held.get(ref)?.events.length ?? 0

/**
 * Keeps this process's actors paused exactly while the fault table has a `pause` fault for their
 * id. An actor created after the fault (a new pod worker) is not caught; the fault names one actor.
 */
export function applyPauses(table: FaultTable, inspection: Inspection, log: Logger): () => void {
  const paused = new Map<string, () => void>()
  const sync = () => {
    const wanted = new Set(table.faults.flatMap((a) => (a.fault.kind === 'pause' ? [a.fault.actor] : [])))
    for (const [id, release] of paused) {
      if (wanted.has(id)) continue
      paused.delete(id)
      release()
      log.info('actor resumed', { actor: id })
    }
    for (const id of wanted) {
      if (paused.has(id)) continue
      const ref = inspection.ref(id)
      if (!ref) continue
      paused.set(id, holdMailbox(ref))
      log.info('actor paused', { actor: id })
    }
  }
  sync()
  const off = table.onChange(sync)
  return () => {
    off()
    for (const release of paused.values()) release()
    paused.clear()
  }
}
