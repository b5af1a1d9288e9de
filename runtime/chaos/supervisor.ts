import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SUPERVISED_ENV } from '../cli/commands/process.js'
import type { Logger } from '../log.js'

/**
 * The parent of a cluster's processes (`kstate up --processes`): it starts the control plane and
 * each node as OS processes, kills them for chaos (SIGKILL, the node's pods included) and starts
 * them again. A process that dies on its own is restarted after a second, like a service manager
 * would; one killed by chaos stays down until its fault is cleared.
 */
export interface ProcessSpec {
  /** `control-plane` or the node's name. */
  name: string
  /** Arguments after the kstate CLI (`['node', '--name', 'node-1', …]`). */
  args: () => string[]
  /** Directory of the node's container pid files (`<node dir>/pids`), whose groups a kill also ends. */
  podPidDir?: string
  /** Resolves once the process is ready, given its output so far. */
  ready?: RegExp
}

interface Running {
  spec: ProcessSpec
  /** Output of the current incarnation until it is ready. */
  output: string
  /** Callers waiting for the process to be ready. */
  waiters: { resolve(m: RegExpExecArray): void }[]
  child?: ChildProcess
  exited?: Promise<void>
  /** Down on purpose (chaos kill, shutdown): no automatic restart. */
  held: boolean
}

const RESTART_AFTER_CRASH_MS = 1_000
const READY_TIMEOUT_MS = 120_000

export class ProcessSupervisor {
  private readonly procs = new Map<string, Running>()
  private stopping = false

  constructor(
    /** argv that runs the kstate CLI (node + main.js, with the loader when run from source). */
    private readonly cli: string[],
    private readonly log: Logger,
    /** Where children's output goes (the supervisor's stderr by default). */
    private readonly output: (chunk: Buffer) => void = (c) => process.stderr.write(c),
  ) {}

  names(): string[] {
    return [...this.procs.keys()]
  }

  has(name: string): boolean {
    return this.procs.has(name)
  }

  isUp(name: string): boolean {
    const p = this.procs.get(name)
    return !!p?.child && p.child.exitCode === null && p.child.signalCode === null
  }

  /**
   * Starts (or restarts) a process; resolves with its output's ready match once an incarnation of
   * it is ready. One that dies before (a control plane starting while nats-server restarts) is
   * started again like any crashed process, and the wait goes on, up to `READY_TIMEOUT_MS`.
   */
  async start(spec: ProcessSpec): Promise<RegExpExecArray | undefined> {
    const entry: Running = this.procs.get(spec.name) ?? { spec, held: false, waiters: [], output: '' }
    entry.spec = spec
    entry.held = false
    this.procs.set(spec.name, entry)
    const ready = spec.ready ? this.waitReady(entry) : undefined
    this.spawn(entry)
    return ready
  }

  private waitReady(entry: Running): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        entry.waiters = entry.waiters.filter((w) => w.resolve !== resolve)
        reject(new Error(`${entry.spec.name} not ready after ${READY_TIMEOUT_MS / 1000} s:\n${entry.output.slice(-2000)}`))
      }, READY_TIMEOUT_MS)
      entry.waiters.push({
        resolve: (m) => {
          clearTimeout(t)
          resolve(m)
        },
      })
    })
  }

  private spawn(entry: Running): void {
    const spec = entry.spec
    const [bin, ...pre] = this.cli
    // Own process group (a kill takes the node's pods with it), so a SIGKILLed parent would leave
    // it running: its stdin is a pipe from us instead, and EOF on it means the parent is gone.
    const child = spawn(bin, [...pre, ...spec.args()], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, [SUPERVISED_ENV]: '1' } })
    entry.child = child
    entry.output = ''
    let matched = false
    const onData = (d: Buffer) => {
      this.output(d)
      if (!spec.ready || matched || entry.output.length > 256 * 1024) return
      entry.output += d.toString()
      const m = spec.ready.exec(entry.output)
      if (!m) return
      matched = true
      const waiters = entry.waiters
      entry.waiters = []
      for (const w of waiters) w.resolve(m)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    entry.exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        resolve()
        if (entry.child !== child || entry.held || this.stopping) return
        this.log.warn('process exited: restarting', { process: spec.name, code, signal })
        setTimeout(() => {
          if (!entry.held && !this.stopping && entry.child === child) this.spawn(entry)
        }, RESTART_AFTER_CRASH_MS)
      }),
    )
    this.log.info('process started', { process: spec.name, pid: child.pid })
  }

  /** Restarts a process held down by a kill; resolves once it is ready. */
  async restart(name: string): Promise<void> {
    const p = this.procs.get(name)
    if (!p) throw new Error(`no process ${name}`)
    if (this.isUp(name)) return
    await this.start(p.spec)
  }

  /** SIGKILL of the process's group, then of its pods' groups; it stays down until `restart`. Returns the pod processes killed. */
  async kill(name: string): Promise<number> {
    const p = this.procs.get(name)
    if (!p) throw new Error(`no process ${name}`)
    p.held = true
    if (p.child?.pid) killGroup(p.child.pid, 'SIGKILL')
    await p.exited
    return p.spec.podPidDir ? killPodGroups(p.spec.podPidDir) : 0
  }

  /** SIGTERM to every process (nodes first, the control plane last), SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true
    const order = [...this.procs.values()].sort((a, b) => Number(a.spec.name === 'control-plane') - Number(b.spec.name === 'control-plane'))
    for (const p of order) {
      p.held = true
      if (!p.child?.pid || p.child.exitCode !== null || p.child.signalCode !== null) continue
      killGroup(p.child.pid, 'SIGTERM')
      const t = setTimeout(() => p.child?.pid && killGroup(p.child.pid, 'SIGKILL'), graceMs)
      await p.exited
      clearTimeout(t)
    }
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    /* gone already */
  }
}

/** Start time of a process (field 22 of /proc/<pid>/stat), telling it from a later one with the same pid. */
function startTime(pid: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[19])
  } catch {
    return undefined
  }
}

/**
 * Kills the process group of every container listed in the node's pid directory (`<pid> <start>
 * <boot>` per file, written by the process driver), when the pid still names that process. The
 * node's own watchdog does the same when the node dies; doing it here too makes "the node's pods
 * are dead" true when the kill returns.
 */
export function killPodGroups(pidDir: string): number {
  if (!existsSync(pidDir)) return 0
  let killed = 0
  for (const f of readdirSync(pidDir)) {
    if (!f.endsWith('.pid')) continue
    try {
      const [pid, start] = readFileSync(join(pidDir, f), 'utf8').trim().split(/\s+/).map(Number)
      if (!Number.isInteger(pid) || pid <= 1 || startTime(pid) !== start) continue
      killGroup(pid, 'SIGKILL')
      killed++
    } catch {
      /* removed meanwhile */
    }
  }
  return killed
}
