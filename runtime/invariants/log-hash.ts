import { createHash, type Hash } from 'node:crypto'
import { encode, type Recorded } from '../../events/index.js'

/**
 * The content hash of a log: SHA-256 over every record in order — its revision, subject and the
 * event's bytes as the log stores them (msgpack). Nothing is left out, so two runs hash alike only
 * if they appended the same events, with the same times, causes and actors, at the same revisions.
 */
export class LogHash {
  private readonly h: Hash = createHash('sha256')
  private readonly header = new Uint8Array(8)
  records = 0

  add(rec: Recorded): void {
    const view = new DataView(this.header.buffer)
    view.setFloat64(0, rec.rev)
    this.h.update(this.header)
    this.h.update(rec.subject)
    this.h.update(encode(rec.event))
    this.records++
  }

  /** Hex digest of everything added so far (the hasher keeps going). */
  digest(): string {
    return this.h.copy().digest('hex')
  }
}
