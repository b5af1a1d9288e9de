import { INVARIANTS, objectOfSubject, type ViolationSink } from './violation.js'

/** A write the api-server acknowledged to a client: the revision it answered with and the object's log subject. */
export interface Ack {
  rev: number
  subject: string
  /** Who received the acknowledgement (for the message only). */
  by?: string
  at?: number
}

/**
 * Every acknowledged write is in the log: the record at the acknowledged revision exists and is
 * on the acknowledged subject. Incremental: acknowledgements may come before or after their record
 * (a client can hear back before a lagging reader sees the append); `finish` judges those the log
 * never reached.
 */
export class AcknowledgedWrites {
  /** Subject of every revision seen, by revision (the log is dense in practice; gaps stay empty). */
  private readonly subjects: (string | undefined)[] = []
  private readonly waiting = new Map<number, Ack[]>()
  private lastRev = 0
  acks = 0

  constructor(private readonly sink: ViolationSink) {}

  record(rec: { rev: number; subject: string }): void {
    this.subjects[rec.rev] = rec.subject
    if (rec.rev > this.lastRev) this.lastRev = rec.rev
    const early = this.waiting.get(rec.rev)
    if (early) {
      this.waiting.delete(rec.rev)
      for (const a of early) this.judge(a)
    }
  }

  ack(a: Ack): void {
    this.acks++
    if (a.rev <= this.lastRev) return this.judge(a)
    const list = this.waiting.get(a.rev)
    if (list) list.push(a)
    else this.waiting.set(a.rev, [a])
  }

  /** The log is complete: acknowledgements beyond its end were lost writes. */
  finish(): void {
    for (const [rev, list] of this.waiting) {
      for (const a of list) {
        this.sink({ invariant: INVARIANTS.acknowledgedWrites, rev, object: objectOfSubject(a.subject), at: a.at, message: `acknowledged${a.by ? ` to ${a.by}` : ''} at rev ${rev}, but the log ends at rev ${this.lastRev}` })
      }
    }
    this.waiting.clear()
  }

  private judge(a: Ack): void {
    const found = this.subjects[a.rev]
    if (found === a.subject) return
    const what = found === undefined ? 'no record at that revision' : `the record there is ${objectOfSubject(found)}'s`
    this.sink({ invariant: INVARIANTS.acknowledgedWrites, rev: a.rev, object: objectOfSubject(a.subject), at: a.at, message: `acknowledged${a.by ? ` to ${a.by}` : ''} at rev ${a.rev}, but ${what}` })
  }
}
