import type { Status, StatusCause } from 'kubernetes-types/meta/v1.js'

/**
 * Kubernetes `StatusReason`s with their HTTP codes, as `k8s.io/apimachinery/pkg/apis/meta/v1`
 * defines them. The comment says what a caller does next.
 */
export const StatusReason = {
  /** Credentials missing or wrong: fix the token. */
  Unauthorized: 401,
  /** Authenticated but not allowed: ask for rights. */
  Forbidden: 403,
  /** No such object: create it, or stop asking. */
  NotFound: 404,
  /** Create of an existing name: pick another name or update instead. */
  AlreadyExists: 409,
  /** Stale `resourceVersion`: read the object again and retry. */
  Conflict: 409,
  /** The object fails validation: fix the fields named in `details.causes`. */
  Invalid: 422,
  /** The request itself is malformed: fix the request. */
  BadRequest: 400,
  /** This endpoint does not accept the verb (e.g. writes to a read-only replay). */
  MethodNotAllowed: 405,
  /** The body's content type is not one this verb accepts (e.g. a patch type): use a listed one. */
  UnsupportedMediaType: 415,
  /** Body over the limit (3 MiB): split the object. */
  RequestEntityTooLarge: 413,
  /** The watch revision is older than the log retains: list again. */
  Gone: 410,
  /** The watch's resourceVersion is older than the log still holds ("too old resource version"): list again, watch from the list's resourceVersion. */
  Expired: 410,
  /** Retry later. */
  ServiceUnavailable: 503,
  Timeout: 504,
  InternalError: 500,
} as const
export type StatusReason = keyof typeof StatusReason

export function failureStatus(reason: StatusReason, message: string, details?: Status['details']): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code: StatusReason[reason],
  }
}

export function successStatus(details?: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}) }
}

/** A failed API call as a value that carries its `Status`; `isApiError(e) && e.reason === 'Conflict'`. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(readonly status: Status) {
    super(status.message ?? String(status.reason))
  }
  get reason(): StatusReason {
    return this.status.reason as StatusReason
  }
  get code(): number {
    return this.status.code ?? 500
  }
}
export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError
export const isConflict = (e: unknown) => isApiError(e) && e.reason === 'Conflict'
export const isNotFound = (e: unknown) => isApiError(e) && e.reason === 'NotFound'
export const isAlreadyExists = (e: unknown) => isApiError(e) && e.reason === 'AlreadyExists'

/** 422 with the offending field paths, the shape kubectl prints as `spec.containers[0].image: Required value`. */
export function invalidStatus(kind: string, name: string, causes: StatusCause[]): Status {
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ')
  return failureStatus('Invalid', `${kind} "${name}" is invalid: ${summary}`, { name, kind, causes })
}
