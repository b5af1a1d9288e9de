import type { JetStreamClient } from '@nats-io/jetstream'
import { DeliverPolicy } from '@nats-io/jetstream'

export interface StoredFrame {
  seq: number
  subject: string
  data: Uint8Array
}

/**
 * Reads the messages of `stream` on `filter` that exist now, from `startSeq`, at most `max` of
 * them, through one ordered consumer (a flow, not a request per message), then stops.
 */
export async function readStream(js: JetStreamClient, stream: string, o: { filter: string; startSeq?: number; max?: number }): Promise<StoredFrame[]> {
  const start = Math.max(1, o.startSeq ?? 1)
  const consumer = await js.consumers.get(stream, {
    filter_subjects: o.filter,
    deliver_policy: start > 1 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
    ...(start > 1 ? { opt_start_seq: start } : {}),
  })
  const info = await consumer.info()
  const max = o.max ?? Infinity
  const out: StoredFrame[] = []
  if (info.num_pending === 0 || max <= 0) return out
  let finish!: () => void
  const done = new Promise<void>((r) => (finish = r))
  const messages = await consumer.consume({
    callback: (m) => {
      if (out.length >= max) return
      out.push({ seq: m.info.streamSequence, subject: m.subject, data: m.data })
      if (m.info.pending === 0 || out.length >= max) finish()
    },
  })
  await done
  await messages.close()
  return out
}
