import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect as tcpConnect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { ErrorCode, KstateError } from '../errors.js'
import type { Logger } from '../log.js'
import { freePort } from './free-port.js'
import { ensureNatsServer } from './install.js'

/** `nats.conf` at the top of the package, wherever the code runs from (src via tsx, or dist). */
export function defaultNatsConf(): string {
  for (const rel of ['../../nats.conf', '../../../nats.conf']) {
    const p = fileURLToPath(new URL(rel, import.meta.url))
    if (existsSync(p)) return p
  }
  throw new KstateError(ErrorCode.NatsServerFailed, 'nats.conf not found next to the kstate package')
}

export interface NatsServerOptions {
  /** JetStream store directory. */
  storeDir: string
  /** File holding the server's pid, so a restart can stop a server orphaned by kill -9. */
  pidFile: string
  port?: number
  passwords: { controlPlane: string; node: string }
  conf?: string
  log: Logger
}

export interface RunningNatsServer {
  port: number
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A nats-server left by a killed `kstate up` still holds the store: stop it before starting again. */
async function reapOrphan(pidFile: string, log: Logger): Promise<void> {
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  rmSync(pidFile, { force: true })
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return
  let cmd = ''
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return
  }
  if (!cmd.includes('nats-server')) return
  log.warn('stopping nats-server left over from a previous run', { pid })
  process.kill(pid, 'SIGTERM')
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100))
  if (alive(pid)) process.kill(pid, 'SIGKILL')
}

function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return reject(new KstateError(ErrorCode.NatsServerFailed, `nats-server exited: ${output().trim().split('\n').slice(-3).join(' | ')}`))
      }
      if (!/Server is ready/.test(output())) {
        if (Date.now() > deadline) return reject(new KstateError(ErrorCode.NatsServerFailed, `nats-server not ready after ${timeoutMs} ms`))
        return void setTimeout(attempt, 25)
      }
      const sock = tcpConnect(port, '127.0.0.1')
      sock.once('connect', () => {
        sock.destroy()
        resolve()
      })
      sock.once('error', () => {
        sock.destroy()
        if (Date.now() > deadline) reject(new KstateError(ErrorCode.NatsServerFailed, `nats-server port ${port} not answering`))
        else setTimeout(attempt, 25)
      })
    }
    attempt()
  })
}

/**
 * Starts nats-server from `nats.conf` on a free loopback port with JetStream under `storeDir`. A
 * free port found here can be taken by another process before nats-server binds it: then it is
 * tried again on another one.
 */
export async function startNatsServer(opts: NatsServerOptions): Promise<RunningNatsServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts)
    } catch (e) {
      if (opts.port !== undefined || attempt >= 3 || !/address already in use/i.test((e as Error).message)) throw e
      opts.log.warn('nats-server port taken meanwhile: trying another', { attempt })
    }
  }
}

async function startOnce(opts: NatsServerOptions): Promise<RunningNatsServer> {
  const bin = ensureNatsServer((l) => opts.log.info(l))
  await reapOrphan(opts.pidFile, opts.log)
  mkdirSync(opts.storeDir, { recursive: true, mode: 0o700 })
  const port = opts.port ?? (await freePort())
  const args = ['-c', opts.conf ?? defaultNatsConf(), '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', opts.storeDir]
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      KSTATE_CONTROL_PLANE_PASSWORD: opts.passwords.controlPlane,
      KSTATE_NODE_PASSWORD: opts.passwords.node,
    },
  })
  let out = ''
  const collect = (d: Buffer) => {
    if (out.length < 64 * 1024) out += d.toString()
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  if (child.pid) writeFileSync(opts.pidFile, String(child.pid))
  try {
    await waitForPort(port, child, () => out, 15_000)
  } catch (e) {
    child.kill('SIGKILL')
    throw e
  }
  opts.log.info('nats-server ready', { port, pid: child.pid, store: opts.storeDir })
  const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())))
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(t)
      }
      rmSync(opts.pidFile, { force: true })
    },
  }
}
