import type { JetStreamClient } from '@nats-io/jetstream'
import { DeliverPolicy } from '@nats-io/jetstream'

export interface StoredFrame {
  seq: number
  subject: string
  data: Uint8Array
}

/** The stream stopped delivering before the messages it announced arrived. */
export class ReadStalledError extends Error {
  override readonly name = 'ReadStalledError'
}

/**
 * Reads the messages of `stream` on `filter` that exist now, from `startSeq`, at most `max` of
 * them, through one ordered consumer (a flow, not a request per message), then stops. Rejects
 * with ReadStalledError when nothing arrives for `stallMs` (a lost consumer must not hang a start).
 * With `each`, every message is handed over as it arrives and not kept (the result stays empty);
 * an error it throws ends the read with that error.
 */
export async function readStream(
  js: JetStreamClient,
  stream: string,
  o: { filter: string; startSeq?: number; max?: number; stallMs?: number; each?: (f: StoredFrame) => void },
): Promise<StoredFrame[]> {
  const start = Math.max(1, o.startSeq ?? 1)
  const consumer = await js.consumers.get(stream, {
    filter_subjects: o.filter,
    deliver_policy: start > 1 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
    ...(start > 1 ? { opt_start_seq: start } : {}),
  })
  const info = await consumer.info()
  const max = o.max ?? Infinity
  const out: StoredFrame[] = []
  if (info.num_pending === 0 || max <= 0) {
    void consumer.delete().catch(() => {})
    return out
  }
  let finish!: () => void
  let fail!: (e: Error) => void
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)))
  const stallMs = o.stallMs ?? 15_000
  let last = Date.now()
  let count = 0
  const watchdog = setInterval(() => Date.now() - last > stallMs && fail(new ReadStalledError(`${o.filter}: nothing delivered for ${stallMs} ms (${count} of ${info.num_pending} read)`)), 1_000)
  const messages = await consumer.consume({
    max_bytes: 16 * 1024 * 1024,
    callback: (m) => {
      last = Date.now()
      if (count >= max) return
      count++
      const f = { seq: m.info.streamSequence, subject: m.subject, data: m.data }
      if (o.each) {
        try {
          o.each(f)
        } catch (e) {
          count = max
          return fail(e as Error)
        }
      } else out.push(f)
      if (m.info.pending === 0 || count >= max) finish()
    },
  })
  try {
    await done
  } finally {
    clearInterval(watchdog)
    // Not awaited: closing an ordered consumer that has delivered what we asked can wait on the server.
    void messages.close().catch(() => {})
  }
  return out
}
