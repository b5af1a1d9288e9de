import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream'
import { decodeEvent, LOG_STREAM, logResourceFilter, type LogEvent, type Recorded } from '../../events/index.js'
import { readStream } from '../event-log/read.js'

/** Random access to the log, for following `cause` back (`kstate why`). */
export interface LogReader {
  /** The event at `rev`; undefined when there is none (beyond the head, deleted, undecodable). */
  get(rev: number): Promise<Recorded<LogEvent> | undefined>
  /** Every event of one object's subject up to `toRev`, in order. */
  subjectHistory(subject: string, toRev: number): Promise<Recorded<LogEvent>[]>
}

export function jetStreamLogReader(js: JetStreamClient, jsm: JetStreamManager): LogReader {
  return {
    async get(rev) {
      if (!Number.isInteger(rev) || rev < 1) return undefined
      const m = await jsm.streams.getMessage(LOG_STREAM, { seq: rev }).catch(() => null)
      if (!m) return undefined
      try {
        return { rev: m.seq, subject: m.subject, event: decodeEvent(m.data) }
      } catch {
        return undefined
      }
    },
    async subjectHistory(subject, toRev) {
      const out: Recorded<LogEvent>[] = []
      for (const f of await readStream(js, LOG_STREAM, { filter: subject })) {
        if (f.seq > toRev) break
        try {
          out.push({ rev: f.seq, subject: f.subject, event: decodeEvent(f.data) })
        } catch {
          // an undecodable frame explains nothing: skipped, as projections skip it
        }
      }
      return out
    },
  }
}

/** The same over records in memory (an export file, tests). */
export function memoryLogReader(records: readonly Recorded<LogEvent>[]): LogReader {
  const byRev = new Map(records.map((r) => [r.rev, r]))
  return {
    get: async (rev) => byRev.get(rev),
    subjectHistory: async (subject, toRev) => records.filter((r) => r.subject === subject && r.rev <= toRev),
  }
}

/** One event as the log stored it: revision, subject, undecoded bytes (exports carry them as is). */
export interface RawRecord {
  rev: number
  subject: string
  data: Uint8Array
}

/**
 * The log's frames undecoded, from `fromRev` to `toRev` (or the end it had when asked), pulled
 * as the caller consumes them: a slow reader (an export over HTTP) holds the consumer back instead
 * of buffering the log in memory.
 */
export async function* rawLog(js: JetStreamClient, o: { fromRev?: number; toRev?: number } = {}): AsyncGenerator<RawRecord> {
  const fromRev = Math.max(1, o.fromRev ?? 1)
  if (o.toRev !== undefined && o.toRev < fromRev) return
  const consumer = await js.consumers.get(LOG_STREAM, {
    filter_subjects: logResourceFilter('>'),
    deliver_policy: fromRev > 1 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
    ...(fromRev > 1 ? { opt_start_seq: fromRev } : {}),
  })
  if ((await consumer.info()).num_pending === 0) return
  const messages = await consumer.consume({ max_messages: 1_000 })
  try {
    for await (const m of messages) {
      const rev = m.info.streamSequence
      if (o.toRev !== undefined && rev > o.toRev) return
      yield { rev, subject: m.subject, data: m.data }
      if ((o.toRev !== undefined && rev >= o.toRev) || m.info.pending === 0) return
    }
  } finally {
    await messages.close()
  }
}
