import { execFileSync, spawnSync } from 'node:child_process'
import { ErrorCode, KstateError } from './errors.js'

/** A program kstate needs from Debian, and the package that carries it. */
export interface DebianProgram {
  /** The command looked up on PATH, e.g. `nats-server`. */
  binary: string
  /** The Debian package, e.g. `nats-server`, `chromium`. */
  pkg: string
  /** Error code when it cannot be found or installed. */
  code?: ErrorCode
}

/** Path of `binary` on PATH, or undefined. */
export function findProgram(binary: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' })
  const path = r.stdout.trim()
  return r.status === 0 && path ? path : undefined
}

/**
 * Finds a program, installing its Debian package when running as root. Without root it fails
 * with the command to run, rather than asking for a password mid-start.
 */
export function ensureProgram(p: DebianProgram, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): string {
  const code = p.code ?? ErrorCode.PackageMissing
  const hint = `sudo apt-get install -y ${p.pkg}`
  const found = findProgram(p.binary)
  if (found) return found
  if (process.getuid?.() !== 0) throw new KstateError(code, `${p.binary} is not installed; install it with: ${hint}`)
  log(`${p.binary} is not installed: installing Debian package ${p.pkg} (apt-get)…`)
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const install = () => execFileSync('apt-get', ['install', '-y', '-q', p.pkg], { stdio: ['ignore', 'ignore', 'inherit'], env })
    try {
      install()
    } catch {
      execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env })
      install()
    }
  } catch (cause) {
    throw new KstateError(code, `installing ${p.pkg} failed; install it with: ${hint}`, { cause })
  }
  const installed = findProgram(p.binary)
  if (!installed) throw new KstateError(code, `${p.binary} still not found; install it with: ${hint}`)
  return installed
}
