/** Chaos errors, codes in one table; the CLI prints their message on one line. */
export const ChaosErrorCode = {
  /** Wrong or missing admin token: chaos control is for the cluster's admin only. */
  Unauthorized: 'CHAOS_UNAUTHORIZED',
  /** A kill needs the process supervisor of `kstate up --processes`. */
  NotSupervised: 'CHAOS_NOT_SUPERVISED',
  /** No such node or process. */
  UnknownTarget: 'CHAOS_UNKNOWN_TARGET',
  /** No fault with that id is in effect. */
  UnknownFault: 'CHAOS_UNKNOWN_FAULT',
  /** The fault's words do not parse (the message says what was expected). */
  BadFault: 'CHAOS_BAD_FAULT',
  /** The actor's input does not cross the bus, so the bus cannot hold it. */
  NotPausable: 'CHAOS_NOT_PAUSABLE',
  /** No chaos controller answered (no cluster, or one started without it). */
  Unreachable: 'CHAOS_UNREACHABLE',
} as const
export type ChaosErrorCode = (typeof ChaosErrorCode)[keyof typeof ChaosErrorCode]

export class ChaosError extends Error {
  override readonly name = 'ChaosError'
  constructor(
    readonly code: ChaosErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
export const isChaosError = (e: unknown, code?: ChaosErrorCode): e is ChaosError => e instanceof ChaosError && (code === undefined || e.code === code)
