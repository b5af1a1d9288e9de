import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import {
  actorMatches,
  decode,
  decodeInspectionBatch,
  encode,
  INSPECT_ALL,
  INSPECT_GET_SUBJECT,
  INSPECT_LIST_SUBJECT,
  INSPECT_SET_SUBJECT,
  inspectSubjectsUnder,
  type ActorList,
  type InspectionActorReply,
  type InspectionListReply,
  type InspectionMessage,
  type InspectionSetReply,
  type InspectionSetRequest,
} from '../../events/index.js'

/** How long a many-responder request waits for the first reply, and for further ones after the last. */
const MAX_WAIT_MS = 2_000
const STALL_MS = 500

async function gather<T>(nc: NatsConnection, subject: string, body: unknown): Promise<T[]> {
  const out: T[] = []
  try {
    const replies = await nc.requestMany(subject, encode(body ?? {}), { strategy: 'stall', stall: STALL_MS, maxWait: MAX_WAIT_MS })
    for await (const m of replies) {
      try {
        out.push(decode<T>(m.data))
      } catch {
        // a malformed reply is skipped: one bad process must not hide the others
      }
    }
  } catch (e) {
    // No process answers (503 no responders): an empty list.
    if (!/no responders|503/i.test((e as Error).message)) throw e
  }
  return out
}

/** Every process's actors, merged and sorted by id. */
export async function listActors(nc: NatsConnection): Promise<ActorList> {
  const replies = await gather<InspectionListReply>(nc, INSPECT_LIST_SUBJECT, {})
  replies.sort((a, b) => (a.process < b.process ? -1 : a.process > b.process ? 1 : a.pid - b.pid))
  const items = replies.flatMap((r) => r.actors ?? [])
  items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { kind: 'ActorList', processes: replies.map((r) => ({ process: r.process, pid: r.pid, actors: r.actors?.length ?? 0 })), items }
}

/** One actor from whichever process hosts it; undefined when none does. */
export async function getActor(nc: NatsConnection, id: string, timeoutMs = 1_000): Promise<InspectionActorReply | undefined> {
  try {
    const m = await nc.request(INSPECT_GET_SUBJECT, encode({ id }), { timeout: timeoutMs })
    return decode<InspectionActorReply>(m.data)
  } catch {
    return undefined
  }
}

export function setInspectionMode(nc: NatsConnection, req: InspectionSetRequest): Promise<InspectionSetReply[]> {
  return gather<InspectionSetReply>(nc, INSPECT_SET_SUBJECT, req)
}

/** Live messages of `filter` (an id: it and everything under it) or of all actors, until the returned function is called. */
export function followInspection(nc: NatsConnection, filter: string | undefined, onMessage: (m: InspectionMessage) => void): () => void {
  const subjects = filter ? inspectSubjectsUnder(filter) : [INSPECT_ALL]
  const subs: Subscription[] = subjects.map((subject) =>
    nc.subscribe(subject, {
      callback: (_e, m) => {
        let batch: InspectionMessage[]
        try {
          batch = decodeInspectionBatch(m.data)
        } catch {
          return
        }
        // Subjects lose the difference between `/` and `.`… never in ids we make, but check.
        for (const msg of batch) if (msg && typeof msg.id === 'string' && actorMatches(msg.id, filter)) onMessage(msg)
      },
    }),
  )
  return () => {
    for (const s of subs) s.unsubscribe()
  }
}
