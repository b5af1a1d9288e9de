import type { JetStreamClient } from '@nats-io/jetstream'
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream'
import { encodeEvent, type LogEvent } from '../../events/index.js'
import { ErrorCode, KstateError } from '../errors.js'

/** The object's subject moved on since `expectedRev`: re-read and retry, or answer 409. */
export class LogConflictError extends KstateError {
  override readonly name = 'LogConflictError'
  constructor(
    readonly subject: string,
    readonly expectedRev: number,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.LogConflict, `${subject} is no longer at revision ${expectedRev}`, options)
  }
}
export const isLogConflict = (e: unknown): e is LogConflictError => e instanceof LogConflictError

/**
 * Appends one event to the object's subject, only if the subject's last sequence is still
 * `expectedRev` (0: nothing was ever written there). Returns the new revision (stream sequence).
 */
export async function appendEvent(js: JetStreamClient, subject: string, event: LogEvent, expectedRev: number, msgID?: string): Promise<number> {
  try {
    const ack = await js.publish(subject, encodeEvent(event), {
      expect: { lastSubjectSequence: expectedRev },
      ...(msgID ? { msgID } : {}),
    })
    return ack.seq
  } catch (e) {
    if (e instanceof JetStreamApiError && (e.code === JetStreamApiCodes.StreamWrongLastSequence || e.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)) {
      throw new LogConflictError(subject, expectedRev, { cause: e })
    }
    throw e
  }
}
