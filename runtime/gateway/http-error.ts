import type { Status } from 'kubernetes-types/meta/v1.js'

/** A request that fails with a Kubernetes `Status`: thrown inside handlers, answered with `status.code`. */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  constructor(readonly status: Status) {
    super(status.message)
  }
}
