/** Error codes of the runtime, in one table; each error class carries one. */
export const ErrorCode = {
  NatsServerMissing: 'NATS_SERVER_MISSING',
  PackageMissing: 'PACKAGE_MISSING',
  NatsServerFailed: 'NATS_SERVER_FAILED',
  ClusterNotFound: 'CLUSTER_NOT_FOUND',
  KubeconfigInvalid: 'KUBECONFIG_INVALID',
  LogConflict: 'LOG_CONFLICT',
  Unreachable: 'UNREACHABLE',
  BadInput: 'BAD_INPUT',
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export class KstateError extends Error {
  override readonly name: string = 'KstateError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
export const isKstateError = (e: unknown, code?: ErrorCode): e is KstateError =>
  e instanceof KstateError && (code === undefined || e.code === code)
