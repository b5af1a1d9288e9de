/**
 * The timeline under the page: the event log's rows in revision order, found by revision with a
 * binary search. A long log is not loaded whole: the page follows its recent tail and fetches a
 * window of rows around wherever the slider goes (`missing` says which), so opening the page costs
 * the same with 30,000 events as with 300.
 */
import type { EventRow } from '../../../events/api.js'

export class EventTimeline {
  readonly rows: EventRow[] = []
  /** Revision ranges known to be loaded, inclusive, sorted and disjoint. */
  private loaded: [number, number][] = []
  /** The live tail: every revision from here on is loaded as it is appended. */
  private tailFrom = Infinity

  /** Starts the live tail at `since` (the first revision the follow asked for). */
  followFrom(since: number): void {
    this.tailFrom = Math.min(this.tailFrom, since)
  }

  /** Adds a live row in log order; a row at or below the head (a reconnect's replay) is ignored. */
  append(row: EventRow): boolean {
    if (row.rev <= this.head) return false
    this.rows.push(row)
    return true
  }

  /** Merges a fetched window: every revision in [from, to] is now known, rows or not. */
  addBlock(rows: EventRow[], from: number, to: number): void {
    const fresh = rows.filter((r) => this.indexOf(r.rev) < 0)
    if (fresh.length > 0) {
      this.rows.push(...fresh)
      this.rows.sort((a, b) => a.rev - b.rev)
    }
    const ranges = [...this.loaded, [from, to] as [number, number]].sort((a, b) => a[0] - b[0])
    this.loaded = []
    for (const r of ranges) {
      const last = this.loaded.at(-1)
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1])
      else this.loaded.push([r[0], r[1]])
    }
  }

  isLoaded(rev: number): boolean {
    return rev >= this.tailFrom || this.loaded.some(([a, b]) => rev >= a && rev <= b)
  }

  /** The window to fetch so that `span` revisions either side of `rev` are known; undefined when they are. */
  missing(rev: number, span: number): { since: number; until: number } | undefined {
    const since = Math.max(1, rev - span)
    const until = Math.min(rev + span, this.tailFrom - 1)
    for (let r = since; r <= until; r++) if (!this.isLoaded(r)) return { since, until }
    return undefined
  }

  get head(): number {
    return this.rows.length === 0 ? 0 : this.rows[this.rows.length - 1].rev
  }

  /** Index of the last row with `rev ≤ r`, or -1 when `r` is before the first row. */
  indexAt(r: number): number {
    let lo = 0
    let hi = this.rows.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (this.rows[mid].rev <= r) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }

  private indexOf(rev: number): number {
    const i = this.indexAt(rev)
    return i >= 0 && this.rows[i].rev === rev ? i : -1
  }

  /** The event that made revision `r` (or the last one before it). */
  at(r: number): EventRow | undefined {
    const i = this.indexAt(r)
    return i < 0 ? undefined : this.rows[i]
  }

  /** Up to `before` rows up to and including `r`, then up to `after` rows after it, in order. */
  around(r: number, before: number, after: number): EventRow[] {
    const i = this.indexAt(r)
    return this.rows.slice(Math.max(0, i - before + 1), Math.max(0, i + 1 + after))
  }
}

/** `rev 42 · NodeConditionChanged node/n-b by system:node-controller · 12:01:02`. */
export function describeRow(row: EventRow | undefined, timeZone?: string): string {
  if (!row) return 'before the first event'
  const time = new Date(row.at).toLocaleTimeString('en-GB', { hour12: false, ...(timeZone ? { timeZone } : {}) })
  return `rev ${row.rev} · ${row.type} ${row.object} by ${row.by} · ${time}`
}
