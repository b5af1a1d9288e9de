/**
 * Real clusters for end-to-end tests: `kstate` processes built from this checkout (dist/), each
 * cluster in its own temp data dir, its own process group, on ports the OS picks. Every process a
 * test starts is killed in `stop()` (group-wide, so pod processes go too).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT = new URL('../../', import.meta.url).pathname
export const CLI = join(ROOT, 'dist/runtime/cli/main.js')

export interface Proc {
  child: ChildProcess
  output(): string
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  /** Kills the whole process group (the process and everything it started). */
  kill(signal?: NodeJS.Signals): void
  exited: Promise<number | null>
}

export function startProc(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return {
    child,
    output: () => out,
    exited,
    waitFor(re, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out)
          if (m) return resolve(m)
          if (child.exitCode !== null) return reject(new Error(`process exited (${child.exitCode}) before ${re}:\n${out.slice(-3000)}`))
          if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${re}:\n${out.slice(-3000)}`))
          setTimeout(check, 50)
        }
        check()
      })
    },
    kill(signal = 'SIGKILL') {
      try {
        process.kill(-child.pid!, signal)
      } catch {
        /* already gone */
      }
    },
  }
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  ms: number
}

/** Runs one `kstate` client command to completion. */
export function kstate(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
    child.on('close', (code) => {
      clearTimeout(t)
      resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started })
    })
    child.stdin.end(opts.input ?? '')
  })
}

export interface Cluster {
  dir: string
  apiPort: number
  kubeconfig: string
  proc: Proc
  /** Runs a client command against this cluster. */
  run(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>
  /** Polls until `check` returns a truthy value. */
  until<T>(check: () => Promise<T | undefined | false>, timeoutMs?: number, what?: string): Promise<T>
  stop(): Promise<void>
}

export async function startCluster(o: { nodes?: number; dir?: string; args?: string[] } = {}): Promise<Cluster> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'kstate-e2e-'))
  // Port 0: the API binds a free port itself. Picking one here and passing it raced with the free
  // port kstate up picks for nats-server (the OS may hand out the same released port twice).
  const proc = startProc(['up', '--nodes', String(o.nodes ?? 3), '--data-dir', dir, '--api-port', '0', ...(o.args ?? [])])
  const ready = await proc.waitFor(/kstate cluster ready: API https:\/\/[^:]+:(\d+)/, 60_000)
  const apiPort = Number(ready[1])
  const kubeconfig = join(dir, 'kubeconfig')
  const cluster: Cluster = {
    dir,
    apiPort,
    kubeconfig,
    proc,
    run: (args, ro) => kstate([...args, '--kubeconfig', kubeconfig], ro),
    until: (check, timeoutMs = 30_000, what = 'condition') => until(check, timeoutMs, what),
    async stop() {
      proc.kill('SIGTERM')
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      await proc.exited
      clearTimeout(t)
      proc.kill('SIGKILL') // anything left in the group
    },
  }
  return cluster
}

export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** A `test.before` hook that prints why it failed: uvu swallows a failing hook's message. */
export function loudly(hook: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    try {
      await hook()
    } catch (e) {
      console.error('before failed:', e)
      throw e
    }
  }
}

/**
 * Pids of processes whose whole command line is `cmdline` and whose working directory is under
 * `dir`: a cluster's pod processes run in `DIR/nodes/NODE/pods/…`, so another test's (or a
 * stale run's) `sleep 3600` is not counted.
 */
export function podProcesses(dir: string, cmdline: string): number[] {
  let out = ''
  try {
    out = execFileSync('pgrep', ['-fx', cmdline], { encoding: 'utf8' })
  } catch {
    return [] // pgrep exits 1 when nothing matches
  }
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)
      } catch {
        return false // gone meanwhile
      }
    })
}
