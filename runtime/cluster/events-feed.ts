import type { JetStreamClient } from '@nats-io/jetstream'
import { logResourceFilter, objectKey, parseLogSubject, type EventRow, type LogEvent, type Recorded } from '../../events/index.js'
import { tailLog } from '../event-log/tail.js'

export function eventRow(rec: Recorded<LogEvent>): EventRow {
  const ref = parseLogSubject(rec.subject)
  return {
    rev: rec.rev,
    type: rec.event.type,
    object: ref ? objectKey(ref) : rec.subject,
    by: rec.event.by,
    ...(rec.event.cause ? { cause: rec.event.cause } : {}),
    at: rec.event.at,
  }
}

/**
 * Streams the log from `since` (inclusive) to `until` (inclusive) or, without follow, to the end
 * the log had when asked; with follow, until `signal` aborts.
 */
export async function streamEvents(
  js: JetStreamClient,
  opts: { since: number; until?: number; follow: boolean },
  write: (row: EventRow) => void,
  signal: AbortSignal,
): Promise<void> {
  let stopAt: () => void = () => {}
  const finished = new Promise<void>((r) => (stopAt = r))
  const tail = await tailLog(js, {
    filter: logResourceFilter('>'),
    fromRev: opts.since,
    onEvent: (rec) => {
      if (opts.until !== undefined && rec.rev > opts.until) return stopAt()
      if (!signal.aborted) write(eventRow(rec))
      if (opts.until !== undefined && rec.rev >= opts.until) stopAt()
    },
  })
  signal.addEventListener('abort', () => stopAt(), { once: true })
  if (!opts.follow) void tail.caughtUp.then(() => stopAt())
  await finished
  await tail.stop()
}
