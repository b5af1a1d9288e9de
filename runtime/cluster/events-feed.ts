import type { JetStreamClient } from '@nats-io/jetstream'
import { logResourceFilter, logSubject, objectKey, parseFaultSubject, parseLogSubject, type EventRow, type LogEvent, type ObjectRef, type Recorded } from '../../events/index.js'
import { tailLog } from '../event-log/tail.js'

export function eventRow(rec: Recorded<LogEvent>): EventRow {
  const ref = parseLogSubject(rec.subject)
  return {
    rev: rec.rev,
    type: rec.event.type,
    object: ref ? objectKey(ref) : parseFaultSubject(rec.subject) !== undefined ? `fault/${parseFaultSubject(rec.subject)}` : rec.subject,
    by: rec.event.by,
    ...(rec.event.cause ? { cause: rec.event.cause } : {}),
    at: rec.event.at,
  }
}

/** Which events a listing shows: `--type` (exact event types) and `--object` (one object). */
export interface EventFilter {
  types?: ReadonlySet<string>
  object?: ObjectRef
}

/**
 * Streams the log from `since` (inclusive) to `until` (inclusive) or, without follow, to the end
 * the log had when asked; with follow, until `signal` aborts. An object filter reads only that
 * object's subject (the consumer filters on the server); a type filter is applied as events pass.
 */
export async function streamEvents(
  js: JetStreamClient,
  opts: { since: number; until?: number; follow: boolean } & EventFilter,
  write: (row: EventRow) => void,
  signal: AbortSignal,
): Promise<void> {
  let stopAt: () => void = () => {}
  const finished = new Promise<void>((r) => (stopAt = r))
  const tail = await tailLog(js, {
    filter: opts.object ? logSubject(opts.object.resource, opts.object.namespace, opts.object.name) : logResourceFilter('>'),
    fromRev: opts.since,
    onEvent: (rec) => {
      if (opts.until !== undefined && rec.rev > opts.until) return stopAt()
      if (!signal.aborted && (!opts.types || opts.types.has(rec.event.type))) write(eventRow(rec))
      if (opts.until !== undefined && rec.rev >= opts.until) stopAt()
    },
  })
  signal.addEventListener('abort', () => stopAt(), { once: true })
  if (!opts.follow) void tail.caughtUp.then(() => stopAt())
  await finished
  await tail.stop()
}
