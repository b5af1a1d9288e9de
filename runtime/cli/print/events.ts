/** `kstate events`: the cluster's event log as a table, or as JSON lines (`-o json`). */
import { humanDuration } from './age.js'

/** One event of the log as the listing shows it (the wire shape of `/kstate/v1/events`). */
export type { EventRow as EventListing } from '../../../events/index.js'
import type { EventRow as EventListing } from '../../../events/index.js'

export function eventHeaders(): string[] {
  return ['REV', 'TYPE', 'OBJECT', 'BY', 'CAUSE', 'AGE']
}

export function eventRow(e: EventListing, now: number): string[] {
  return [String(e.rev), e.type, e.object, e.by, e.cause === undefined ? '<none>' : String(e.cause), humanDuration(now - e.at)]
}

/**
 * One event as a single line of JSON (no trailing newline), keys in a fixed order; `cause` is
 * `null` when absent so every line has the same keys, and `at` is RFC 3339 with milliseconds in UTC.
 */
export function eventJsonLine(e: EventListing): string {
  return JSON.stringify({ rev: e.rev, type: e.type, object: e.object, by: e.by, cause: e.cause ?? null, at: new Date(e.at).toISOString() })
}
