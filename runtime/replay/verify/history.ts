import type { LogEvent, Recorded } from '../../../events/index.js'

/** A recorded history in revision order: an export file, a stopped cluster's stream, or an array in tests. */
export type HistorySource = AsyncIterable<Recorded<LogEvent>> | Iterable<Recorded<LogEvent>>

/**
 * Reads a history ahead of the replay by a span of recorded time, so that what the log says
 * happened a little later is known before the virtual clock gets there (the lease reconstruction
 * needs each node's Unknown verdict one grace period ahead). Memory holds only that span.
 */
export class Lookahead {
  private readonly buffer: Recorded<LogEvent>[] = []
  private head = 0
  private readonly it: AsyncIterator<Recorded<LogEvent>> | Iterator<Recorded<LogEvent>>
  private done = false
  /** Highest `at` read so far. */
  private latest = -Infinity

  constructor(
    source: HistorySource,
    /** Sees every event once, in order, when it enters the buffer. */
    private readonly onRead: (rec: Recorded<LogEvent>) => void = () => {},
  ) {
    this.it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  }

  /** Reads until an event recorded after `at` is buffered, or the history ends. */
  async fill(at: number): Promise<void> {
    while (!this.done && this.latest <= at) await this.readOne()
  }

  /** The next event without consuming it (reads one if none is buffered). */
  async peek(): Promise<Recorded<LogEvent> | undefined> {
    if (this.head >= this.buffer.length && !this.done) await this.readOne()
    return this.buffer[this.head]
  }

  async next(): Promise<Recorded<LogEvent> | undefined> {
    const rec = await this.peek()
    if (rec) {
      this.head++
      // Compact now and then: the consumed prefix is never read again.
      if (this.head > 4096 && this.head * 2 > this.buffer.length) {
        this.buffer.splice(0, this.head)
        this.head = 0
      }
    }
    return rec
  }

  /** The first buffered, unconsumed event (the next one included) that satisfies `test`. */
  findBuffered(test: (rec: Recorded<LogEvent>) => boolean): Recorded<LogEvent> | undefined {
    for (let i = this.head; i < this.buffer.length; i++) if (test(this.buffer[i])) return this.buffer[i]
    return undefined
  }

  private async readOne(): Promise<void> {
    const r = await this.it.next()
    if (r.done) {
      this.done = true
      return
    }
    this.buffer.push(r.value)
    this.latest = Math.max(this.latest, r.value.event.at)
    this.onRead(r.value)
  }
}
