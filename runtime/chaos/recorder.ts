import type { JetStreamClient } from '@nats-io/jetstream'
import { faultSubject, type FaultEvent } from '../../events/index.js'
import { appendEvent } from '../event-log/append.js'
import type { Logger } from '../log.js'

/**
 * Writes `FaultInjected`/`FaultCleared` to the log, on the fault's own subject with compare-and-set
 * (nothing before an injection, the injection before its clearing). A fault may be recorded while
 * nats-server is down (restart nats): the append is retried with the same msgID until it lands, and
 * JetStream's duplicate window stores it once.
 */
export class FaultRecorder {
  /** Revision of each fault's FaultInjected, the expected sequence of its FaultCleared. */
  private readonly injectedRev = new Map<string, number>()
  private stopped = false

  constructor(
    private readonly js: () => JetStreamClient,
    private readonly log: Logger,
  ) {}

  async injected(e: Extract<FaultEvent, { type: 'FaultInjected' }>): Promise<number> {
    const rev = await this.append(e, 0, `${e.data.id}/injected`)
    this.injectedRev.set(e.data.id, rev)
    return rev
  }

  async cleared(e: Extract<FaultEvent, { type: 'FaultCleared' }>): Promise<number> {
    const rev = await this.append(e, this.injectedRev.get(e.data.id) ?? 0, `${e.data.id}/cleared`)
    this.injectedRev.delete(e.data.id)
    return rev
  }

  stop(): void {
    this.stopped = true
  }

  private async append(e: FaultEvent, expectedRev: number, msgID: string): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await appendEvent(this.js(), faultSubject(e.data.id), e, expectedRev, msgID)
      } catch (err) {
        if (this.stopped) throw err
        if (attempt % 10 === 0) this.log.warn('recording a fault failed: retrying', { fault: e.data.id, type: e.type, error: (err as Error).message })
        await new Promise((r) => setTimeout(r, 250))
      }
    }
  }
}
