import { execFileSync, spawnSync } from 'node:child_process'
import { ErrorCode, KstateError } from '../errors.js'

const INSTALL_HINT = 'sudo apt-get install -y nats-server'

/** Path of the nats-server binary, or undefined. */
export function findNatsServer(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' })
  const path = r.stdout.trim()
  return r.status === 0 && path ? path : undefined
}

/**
 * Finds nats-server, installing Debian's package when running as root. Without root it fails
 * with the command to run, rather than asking for a password mid-start.
 */
export function ensureNatsServer(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): string {
  const found = findNatsServer()
  if (found) return found
  if (process.getuid?.() !== 0) {
    throw new KstateError(ErrorCode.NatsServerMissing, `nats-server is not installed; install it with: ${INSTALL_HINT}`)
  }
  log('nats-server is not installed: installing Debian package nats-server (apt-get)…')
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    try {
      execFileSync('apt-get', ['install', '-y', '-q', 'nats-server'], { stdio: ['ignore', 'ignore', 'inherit'], env })
    } catch {
      execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env })
      execFileSync('apt-get', ['install', '-y', '-q', 'nats-server'], { stdio: ['ignore', 'ignore', 'inherit'], env })
    }
  } catch (cause) {
    throw new KstateError(ErrorCode.NatsServerMissing, `installing nats-server failed; install it with: ${INSTALL_HINT}`, { cause })
  }
  const installed = findNatsServer()
  if (!installed) throw new KstateError(ErrorCode.NatsServerMissing, `nats-server still not found; install it with: ${INSTALL_HINT}`)
  return installed
}
