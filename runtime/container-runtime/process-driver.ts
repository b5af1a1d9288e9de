import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { EnvVar } from 'kubernetes-types/core/v1.js'
import type { ContainerCommand, PodFieldRefs, Signal } from '../../actors/container-runtime/container.js'
import type { Logger } from '../log.js'

/** What a driver is asked to start: the container machine's `Spawn` command without its tag. */
export type SpawnRequest = Omit<Extract<ContainerCommand, { type: 'Spawn' }>, 'type'>

/** Outcomes a driver reports; the host stamps them with its clock and hands them to the pod worker. */
export type DriverEvent =
  | { type: 'STARTED'; containerId: string; pid: number }
  | { type: 'EXITED'; containerId: string; exitCode: number | null; signal: string | null }
  | { type: 'SPAWN_FAILED'; containerId: string; message: string }

/**
 * A container runtime as the kubelet uses it. This one runs real OS processes; a simulated one
 * (fake containers for many-node runs) implements the same contract without processes.
 *
 * Contract: `spawn` and `signal` never throw and never call the listener synchronously; every
 * spawn ends in exactly one of SPAWN_FAILED, or STARTED followed by exactly one EXITED.
 */
export interface ContainerDriver {
  spawn(req: SpawnRequest): void
  /** Signals the container's whole process group; unknown or finished containers are ignored. */
  signal(containerId: string, signal: Signal): void
  onEvent(listener: (e: DriverEvent) => void): () => void
  /** Kills containers left running by a previous run of this node (after a kill -9); returns how many processes. */
  reapOrphans(): Promise<number>
  /** SIGTERM to every container, SIGKILL to what is left after `graceMs`; resolves when all have exited. */
  stopAll(graceMs?: number): Promise<void>
}

export interface ProcessDriverOptions {
  /** The node's directory: pid files go to `<dataDir>/pids`. */
  dataDir: string
  /** Where the API answers, for KUBERNETES_SERVICE_HOST/PORT and friends. */
  apiHost: string
  apiPort: number
  /** PATH given to containers; default: the node process's own. */
  hostPath?: string
  log?: Logger
}

/**
 * A container with neither command nor args (there are no image entrypoints here) runs this: it
 * stays up until signalled, then exits 0, as nginx does on SIGTERM. `sleep` runs in the background
 * so the shell can take the signal at once.
 */
export const PLACEHOLDER_ARGV = ['/bin/sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 86400 & wait $!; done']

/** The environment variables of the `kubernetes` Service, as the kubelet injects them (enableServiceLinks). */
export function kubernetesServiceEnv(host: string, port: number): Record<string, string> {
  const hostPort = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
  return {
    KUBERNETES_SERVICE_HOST: host,
    KUBERNETES_SERVICE_PORT: String(port),
    KUBERNETES_SERVICE_PORT_HTTPS: String(port),
    KUBERNETES_PORT: `tcp://${hostPort}`,
    [`KUBERNETES_PORT_${port}_TCP`]: `tcp://${hostPort}`,
    [`KUBERNETES_PORT_${port}_TCP_PROTO`]: 'tcp',
    [`KUBERNETES_PORT_${port}_TCP_PORT`]: String(port),
    [`KUBERNETES_PORT_${port}_TCP_ADDR`]: host,
  }
}

/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion): `$(NAME)` becomes the
 * variable's value when it is defined and stays as written otherwise; `$$` is a literal `$`.
 */
export function expand(input: string, vars: Readonly<Record<string, string>>): string {
  let out = ''
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch
      continue
    }
    const next = input[i + 1]
    if (next === '$') {
      out += '$'
      i++
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2)
      if (close < 0) {
        out += input.slice(i)
        break
      }
      const name = input.slice(i + 2, close)
      out += Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : input.slice(i, close + 1)
      i = close
    } else out += ch
  }
  return out
}

function fieldRef(path: string, pod: PodFieldRefs): string | undefined {
  switch (path) {
    case 'metadata.name':
      return pod.name
    case 'metadata.namespace':
      return pod.namespace
    case 'metadata.uid':
      return pod.uid
    case 'spec.nodeName':
      return pod.nodeName
    case 'spec.serviceAccountName':
      return pod.serviceAccountName ?? 'default'
    case 'status.podIP':
    case 'status.podIPs':
      return pod.podIP
    case 'status.hostIP':
    case 'status.hostIPs':
      return pod.hostIP
    default:
      return undefined
  }
}

export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError'
}

/**
 * The process environment (`makeEnvironmentVariables`): PATH from the host, HOSTNAME, the
 * `kubernetes` Service variables, then the container's `env` in order, each value expanded against
 * what came before. Throws ContainerConfigError for a reference kstate cannot resolve.
 */
export function containerEnv(req: SpawnRequest, api: { host: string; port: number }, hostPath: string): Record<string, string> {
  const env: Record<string, string> = { PATH: hostPath, HOSTNAME: req.pod.hostname, ...kubernetesServiceEnv(api.host, api.port) }
  for (const v of req.env as EnvVar[]) {
    if (v.valueFrom?.fieldRef) {
      const value = fieldRef(v.valueFrom.fieldRef.fieldPath, req.pod)
      if (value === undefined) throw new ContainerConfigError(`env ${v.name}: fieldRef ${v.valueFrom.fieldRef.fieldPath} is not supported`)
      env[v.name] = value
    } else if (v.valueFrom) {
      const optional = v.valueFrom.configMapKeyRef?.optional ?? v.valueFrom.secretKeyRef?.optional ?? false
      if (optional) continue
      throw new ContainerConfigError(`env ${v.name}: ${Object.keys(v.valueFrom).join(', ')} is not supported`)
    } else env[v.name] = expand(v.value ?? '', env)
  }
  return env
}

/** The argv to exec: command + args expanded; args alone when there is no command; else the placeholder. */
export function containerArgv(req: SpawnRequest, env: Readonly<Record<string, string>>): string[] {
  const argv = [...req.command, ...req.args].map((a) => expand(a, env))
  return argv.length > 0 ? argv : PLACEHOLDER_ARGV
}

/** containerd/runc's wording, so `kubectl describe` reads as it would on a real node. */
function startErrorMessage(file: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return file.includes('/') ? `exec: "${file}": stat ${file}: no such file or directory` : `exec: "${file}": executable file not found in $PATH`
  if (err.code === 'EACCES') return `exec: "${file}": permission denied`
  return `exec: "${file}": ${err.message}`
}

/**
 * A pid file holds `<pid> <start> <boot id>` on one line (plain, so the watchdog shell can read it):
 * `start` is field 22 of /proc/<pid>/stat (clock ticks since boot), which tells the process from a
 * later one with the same pid.
 */
interface PidRecord {
  pid: number
  start: number
  boot: string
}
const formatPidRecord = (r: PidRecord) => `${r.pid} ${r.start} ${r.boot}\n`
function parsePidRecord(text: string): PidRecord | undefined {
  const [pid, start, boot = ''] = text.trim().split(/\s+/)
  const r = { pid: Number(pid), start: Number(start), boot }
  return Number.isInteger(r.pid) && r.pid > 1 && Number.isFinite(r.start) ? r : undefined
}

/**
 * The watchdog: a small shell in its own session whose stdin is a pipe from the node process.
 * When the node dies, even by kill -9, the pipe closes, `read` returns, and it kills the process
 * group of every container still listed in the pid directory. (On a clean stop the list is empty.)
 */
const WATCHDOG_SCRIPT = [
  'read _ignored',
  'for f in "$1"/*.pid; do',
  '  [ -f "$f" ] || continue',
  '  read pid start boot < "$f" || continue',
  '  case "$pid" in ""|*[!0-9]*) continue;; esac',
  '  kill -s KILL -- "-$pid" 2>/dev/null',
  'done',
].join('\n')

interface ProcStat {
  pid: number
  session: number
  start: number
}

function readProcStat(pid: number | string): ProcStat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: split after its closing one.
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ')
    return { pid: Number(pid), session: Number(rest[3]), start: Number(rest[19]) }
  } catch {
    return undefined
  }
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return ''
  }
}

/** Whether `p` settled within `ms` (the timer does not outlive the answer). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)))
  try {
    return await Promise.race([p.then(() => true as const), late])
  } finally {
    clearTimeout(timer)
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

interface Entry {
  child: ChildProcess
  /** Known as soon as spawn() returns (libuv waits for the exec); undefined when it failed. */
  pid?: number
  done: boolean
  exited: Promise<void>
}

/**
 * Runs each container as an OS process (`child_process.spawn`, no shell) in its own session and
 * process group (`detached`), so a signal reaches its children and the whole group dies with it:
 * when the container's main process exits, what is left of its group is killed, as a pid namespace
 * would be. stdout and stderr share one file descriptor opened for append on the container's log,
 * so their order is kept by the kernel and the log survives the kubelet. A pid file per container
 * (`<dataDir>/pids/<id>.pid`) lets the next run of the node kill what a killed run left behind.
 */
export class ProcessDriver implements ContainerDriver {
  private readonly entries = new Map<string, Entry>()
  private readonly listeners = new Set<(e: DriverEvent) => void>()
  private readonly pidDir: string
  private readonly hostPath: string
  private readonly boot = bootId()
  private watchdog?: ChildProcess

  constructor(private readonly o: ProcessDriverOptions) {
    this.pidDir = join(o.dataDir, 'pids')
    this.hostPath = o.hostPath ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'
  }

  onEvent(listener: (e: DriverEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private report(e: DriverEvent): void {
    for (const l of this.listeners) {
      try {
        l(e)
      } catch (err) {
        this.o.log?.error('driver listener failed', { container: e.containerId, error: err })
      }
    }
  }

  private fail(containerId: string, message: string): void {
    setImmediate(() => this.report({ type: 'SPAWN_FAILED', containerId, message }))
  }

  spawn(req: SpawnRequest): void {
    const id = req.containerId
    if (this.entries.has(id)) return this.fail(id, `container ${id} is already running`)
    let env: Record<string, string>
    try {
      env = containerEnv(req, { host: this.o.apiHost, port: this.o.apiPort }, this.hostPath)
    } catch (e) {
      return this.fail(id, (e as Error).message)
    }
    const argv = containerArgv(req, env)
    if (!existsSync(req.workingDir) || !statSync(req.workingDir).isDirectory()) {
      return this.fail(id, `chdir to cwd ("${req.workingDir}") set in config.json failed: no such file or directory`)
    }
    this.ensureWatchdog()
    let fd: number
    try {
      mkdirSync(dirname(req.logPath), { recursive: true })
      fd = openSync(req.logPath, 'a')
    } catch (e) {
      return this.fail(id, `open log ${req.logPath}: ${(e as Error).message}`)
    }
    let child: ChildProcess
    try {
      child = spawn(argv[0], argv.slice(1), { cwd: req.workingDir, env, stdio: ['ignore', fd, fd], detached: true })
    } catch (e) {
      closeSync(fd)
      return this.fail(id, startErrorMessage(argv[0], e as NodeJS.ErrnoException))
    }
    closeSync(fd) // the child holds its own copy
    child.unref()
    let resolveExited!: () => void
    const entry: Entry = { child, pid: child.pid, done: false, exited: new Promise((r) => (resolveExited = r)) }
    this.entries.set(id, entry)
    // The pid file exists before anything else happens, so a kill -9 of the node from here on leaves no orphan.
    if (entry.pid !== undefined) this.writePidFile(id, entry.pid)
    const finish = (e: DriverEvent) => {
      if (entry.done) return
      entry.done = true
      this.entries.delete(id)
      if (entry.pid !== undefined) {
        killGroup(entry.pid, 'SIGKILL') // the main process is gone: so is the rest of the container
        rmSync(this.pidFile(id), { force: true })
      }
      resolveExited()
      this.report(e)
    }
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (entry.pid === undefined) finish({ type: 'SPAWN_FAILED', containerId: id, message: startErrorMessage(argv[0], err) })
      else this.o.log?.warn('container process error', { container: id, error: err })
    })
    child.once('spawn', () => this.report({ type: 'STARTED', containerId: id, pid: child.pid! }))
    child.once('exit', (code, signal) => finish({ type: 'EXITED', containerId: id, exitCode: code, signal }))
  }

  signal(containerId: string, signal: Signal): void {
    const e = this.entries.get(containerId)
    if (e && !e.done && e.pid !== undefined) killGroup(e.pid, signal)
  }

  async stopAll(graceMs = 2000): Promise<void> {
    const live = [...this.entries.keys()]
    const all = Promise.all(live.map((id) => this.entries.get(id)?.exited ?? Promise.resolve()))
    for (const id of live) this.signal(id, 'SIGTERM')
    if (live.length > 0 && !(await within(all, graceMs))) {
      for (const id of live) this.signal(id, 'SIGKILL')
      await within(all, 5000)
    }
    this.stopWatchdog()
  }

  async reapOrphans(): Promise<number> {
    let files: string[]
    try {
      files = readdirSync(this.pidDir).filter((f) => f.endsWith('.pid'))
    } catch {
      return 0
    }
    const sessions = new Map<number, ProcStat[]>()
    const hasProc = existsSync('/proc/self/stat')
    if (hasProc) {
      for (const d of readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue
        const st = readProcStat(d)
        if (st) sessions.set(st.session, [...(sessions.get(st.session) ?? []), st])
      }
    }
    let killed = 0
    for (const f of files) {
      const path = join(this.pidDir, f)
      let rec: PidRecord | undefined
      try {
        rec = parsePidRecord(readFileSync(path, 'utf8'))
      } catch {
        rec = undefined
      }
      rmSync(path, { force: true })
      if (!rec) continue
      if (!hasProc) {
        if (killGroup(rec.pid, 'SIGKILL')) killed++
        continue
      }
      if (rec.boot !== this.boot) continue // the machine rebooted: nothing of that run survives
      // Members of the container's session started no earlier than its main process: even if the
      // main process is gone, its children still carry its session id; a newer process reusing the pid does not.
      for (const p of sessions.get(rec.pid) ?? []) {
        if (p.start < rec.start) continue
        try {
          process.kill(p.pid, 'SIGKILL')
          killed++
        } catch {
          // already gone
        }
      }
    }
    if (killed > 0) this.o.log?.warn('killed container processes left by a previous run', { processes: killed })
    return killed
  }

  private ensureWatchdog(): void {
    if (this.watchdog && this.watchdog.exitCode === null && this.watchdog.signalCode === null) return
    try {
      mkdirSync(this.pidDir, { recursive: true })
      const w = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'kstate-watchdog', this.pidDir], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
      w.on('error', (e) => this.o.log?.warn('container watchdog failed', { error: e }))
      w.stdin?.on('error', () => {})
      w.unref()
      // An idle pipe must not keep the node's event loop alive.
      ;(w.stdin as unknown as { _handle?: { unref?: () => void } } | null)?._handle?.unref?.()
      this.watchdog = w
    } catch (e) {
      this.o.log?.warn('container watchdog not started', { error: e })
    }
  }

  /** Ends the watchdog (on a clean stop, after every container has exited). */
  private stopWatchdog(): void {
    this.watchdog?.stdin?.end()
    this.watchdog = undefined
  }

  private pidFile(id: string): string {
    return join(this.pidDir, `${id}.pid`)
  }

  private writePidFile(id: string, pid: number): void {
    try {
      mkdirSync(this.pidDir, { recursive: true })
      writeFileSync(this.pidFile(id), formatPidRecord({ pid, start: readProcStat(pid)?.start ?? 0, boot: this.boot }))
    } catch (e) {
      this.o.log?.warn('cannot write pid file', { container: id, error: e })
    }
  }
}
