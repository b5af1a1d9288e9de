import type { JetStreamClient } from '@nats-io/jetstream'
import { DeliverPolicy } from '@nats-io/jetstream'
import { LOG_STREAM, decodeEvent, type LogEvent, type Recorded } from '../../events/index.js'

interface TailCommon {
  /** One wildcard filter (NATS 2.9 takes one filter subject per consumer). */
  filter: string
  /** First revision to deliver (1 = the whole history). */
  fromRev?: number
  /** A frame that failed to decode: counted and skipped, never fatal. */
  onMalformed?(rev: number, subject: string, error: Error): void
}

/** Each event decoded (`onEvent`), or each frame undecoded (`onFrame`: a view into the buffer the connection read; keeping it keeps that buffer). */
export type TailOptions = TailCommon &
  ({ onEvent(rec: Recorded<LogEvent>): void; onFrame?: never } | { onFrame(rev: number, subject: string, frame: Uint8Array): void; onEvent?: never })

export interface Tail {
  /** Resolves once every event that existed when the tail started has been delivered. */
  caughtUp: Promise<void>
  /** Count of frames that failed to decode. */
  readonly malformed: number
  stop(): Promise<void>
}

/**
 * Follows the log in order from `fromRev` with an ordered consumer (ephemeral, recreated by the
 * client on gaps). The callback is synchronous, as nats.js requires: decode and apply, nothing else.
 */
export async function tailLog(js: JetStreamClient, opts: TailOptions): Promise<Tail> {
  const fromRev = Math.max(1, opts.fromRev ?? 1)
  const consumer = await js.consumers.get(LOG_STREAM, {
    filter_subjects: opts.filter,
    deliver_policy: fromRev > 1 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
    ...(fromRev > 1 ? { opt_start_seq: fromRev } : {}),
  })
  const info = await consumer.info()
  // The log's last revision now: caught up once it is delivered. The consumer's pending count alone
  // is not enough: nats-server 2.9 miscounts it for a filtered consumer started mid-stream.
  const lastRev = (await (await js.jetstreamManager()).streams.info(LOG_STREAM)).state.last_seq
  let markCaughtUp!: () => void
  const caughtUp = new Promise<void>((r) => (markCaughtUp = r))
  let done = info.num_pending === 0 || lastRev < fromRev
  if (done) markCaughtUp()
  let malformed = 0
  const { onEvent, onFrame } = opts
  const messages = await consumer.consume({
    max_messages: 5_000,
    // Pulls expire (and heartbeats are due) every 5 s instead of 30: after a nats-server restart the
    // ephemeral consumer is gone, and nats.js notices only after two missed heartbeats (measured
    // with `kstate chaos restart nats`: the log stood still ~40 s for every reader with the default).
    expires: 5_000,
    callback: (m) => {
      const info = m.info
      const rev = info.streamSequence
      try {
        if (onFrame) onFrame(rev, m.subject, m.data)
        else onEvent!({ rev, subject: m.subject, event: decodeEvent(m.data) })
      } catch (e) {
        malformed++
        opts.onMalformed?.(rev, m.subject, e as Error)
      }
      if (!done && (info.pending === 0 || rev >= lastRev)) {
        done = true
        markCaughtUp()
      }
    },
  })
  return {
    caughtUp,
    get malformed() {
      return malformed
    },
    async stop() {
      await messages.close()
    },
  }
}

