import { ensureProgram, findProgram } from '../apt.js'
import { ErrorCode } from '../errors.js'

/** Path of the nats-server binary, or undefined. */
export const findNatsServer = (): string | undefined => findProgram('nats-server')

/** Finds nats-server, installing Debian's package (2.9.10 on bookworm) when running as root. */
export const ensureNatsServer = (log?: (line: string) => void): string =>
  ensureProgram({ binary: 'nats-server', pkg: 'nats-server', code: ErrorCode.NatsServerMissing }, log)
