import { jetstream } from '@nats-io/jetstream'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import { randomBytes } from 'node:crypto'
import {
  CHAOS_CONTROL_SUBJECT,
  CHAOS_SYNC_SUBJECT,
  CHAOS_TABLE_SUBJECT,
  decode,
  encode,
  type ActiveFault,
  type ChaosRequest,
  type ChaosResponse,
  type FaultSpec,
  type FaultTableMessage,
} from '../../events/index.js'
import { actorRoute, PAUSABLE_ACTORS } from '../bus/peers.js'
import { realClock, type Clock } from '../clock/clock.js'
import type { Logger } from '../log.js'
import { ChaosError, ChaosErrorCode, isChaosError } from './errors.js'
import { getActor, listActors } from '../inspect/client.js'
import { FaultRecorder } from './recorder.js'

/**
 * What the controller can do to processes. `kstate up --processes` gives a supervisor of OS
 * processes; `kstate up` in one process only restarts nats-server (kills are refused: there is no
 * node process to kill).
 */
export interface ChaosTargets {
  /** Names of the processes that can be killed and restarted (`control-plane`, node names). */
  killable(): string[]
  kill(process: string): Promise<void>
  restart(process: string): Promise<void>
  /** Stops nats-server and starts it again on the same port after `downMs`; undefined when kstate does not run it. */
  restartNats?(downMs: number): Promise<void>
  /** Every process name (for partitions and scopes), killable or not. */
  processes(): string[]
}

export interface ChaosControllerOptions {
  nc: NatsConnection
  adminToken: string
  targets: ChaosTargets
  clock?: Clock
  log: Logger
  /** How often the table is re-sent (processes that missed a change, a restarted nats-server). */
  resendMs?: number
  /** Where FaultInjected/FaultCleared go (default: the log, through `nc`); tests pass a list. */
  recorder?: Pick<FaultRecorder, 'injected' | 'cleared' | 'stop'>
}

const ANSWER_FIRST_MS = 200
const newId = (kind: string) => `${kind}-${randomBytes(3).toString('hex')}`

/**
 * The chaos controller: the one owner of the fault table. It checks each request's admin token
 * (NATS permissions already keep node users off `kstate.chaos.control`), performs kills and
 * restarts through its targets, records every fault in the log, and pushes the table to every
 * process's faulty bus.
 */
export class ChaosController {
  private readonly faults = new Map<string, ActiveFault>()
  private readonly timers = new Map<string, unknown>()
  private version = Date.now() // a restarted controller's tables are newer than a dead one's
  private readonly subs: Subscription[] = []
  private readonly recorder: Pick<FaultRecorder, 'injected' | 'cleared' | 'stop'>
  private readonly clock: Clock
  private resend?: NodeJS.Timeout
  /** Fault ids by the request that injected them (retries of a request whose answer was lost). */
  private readonly requests = new Map<string, string>()

  constructor(private readonly o: ChaosControllerOptions) {
    this.clock = o.clock ?? realClock
    this.recorder = o.recorder ?? new FaultRecorder(() => jetstream(o.nc), o.log)
  }

  start(): void {
    const { nc } = this.o
    this.subs.push(
      nc.subscribe(CHAOS_SYNC_SUBJECT, {
        callback: (err, m) => {
          if (!err) m.respond(encode(this.table()))
        },
      }),
      nc.subscribe(CHAOS_CONTROL_SUBJECT, {
        callback: (err, m) => {
          if (err) return
          let req: ChaosRequest
          try {
            req = decode<ChaosRequest>(m.data)
          } catch {
            return void m.respond(encode({ ok: false, code: ChaosErrorCode.BadFault, message: 'malformed chaos request' } satisfies ChaosResponse))
          }
          void this.handle(req).then((r) => m.respond(encode(r)))
        },
      }),
    )
    this.resend = setInterval(() => this.broadcast(), this.o.resendMs ?? 2_000)
  }

  list(): ActiveFault[] {
    return [...this.faults.values()]
  }

  async handle(req: ChaosRequest): Promise<ChaosResponse> {
    try {
      if (req.token !== this.o.adminToken) throw new ChaosError(ChaosErrorCode.Unauthorized, 'chaos control needs the cluster admin token')
      const by = ('by' in req && req.by) || 'admin'
      switch (req.op) {
        case 'list':
          return { ok: true, faults: this.list() }
        case 'inject': {
          const known = req.requestId !== undefined ? this.requests.get(req.requestId) : undefined
          const id = known ?? (await this.inject(req.fault, req.forMs, by))
          if (req.requestId !== undefined) this.requests.set(req.requestId, id)
          return { ok: true, faults: this.list(), id }
        }
        case 'clear':
          await this.clear(req.id, `cleared by ${by}`)
          return { ok: true, faults: this.list(), cleared: [req.id] }
        case 'heal': {
          const ids = this.list().filter((f) => f.fault.kind === 'partition').map((f) => f.id)
          for (const id of ids) await this.clear(id, `healed by ${by}`)
          return { ok: true, faults: this.list(), cleared: ids }
        }
      }
    } catch (e) {
      if (isChaosError(e)) return { ok: false, code: e.code, message: e.message }
      this.o.log.error('chaos request failed', { error: (e as Error).message })
      return { ok: false, code: 'CHAOS_FAILED', message: (e as Error).message }
    }
  }

  /** Injects a fault; resolves once it is in effect (a killed process is dead, the table is sent). */
  async inject(fault: FaultSpec, forMs: number | undefined, by = 'admin'): Promise<string> {
    this.validate(fault)
    if (fault.kind === 'pause') await this.mustExist(fault.actor)
    const id = newId(fault.kind)
    const now = this.clock.now()
    const until = fault.kind === 'restart-nats' ? now + fault.downMs : forMs !== undefined ? now + forMs : restartAt(fault, now)
    const active: ActiveFault = { id, fault, since: now, ...(until !== undefined ? { until } : {}) }
    // Recorded first: a kill of the control plane or of nats-server must not keep it out of the log.
    await this.recorder.injected({ type: 'FaultInjected', v: 1, at: now, by, data: { id, fault, ...(forMs !== undefined ? { forMs } : {}) } })
    this.faults.set(id, active)
    this.o.log.info('fault injected', { id, kind: fault.kind, until })
    if (fault.kind === 'kill-node') await this.o.targets.kill(fault.node)
    else if (fault.kind === 'kill-control-plane') await this.o.targets.kill('control-plane')
    else if (fault.kind === 'restart-nats') {
      // Runs in the background, a moment later: the answer to this request must leave before the
      // server goes down, and it would otherwise wait out the outage.
      void new Promise((r) => setTimeout(r, ANSWER_FIRST_MS)).then(() => this.o.targets.restartNats!(fault.downMs)).then(
        () => this.clear(id, 'nats-server restarted'),
        (e) => this.o.log.error('restarting nats-server failed', { error: (e as Error).message }),
      )
      this.broadcast()
      return id
    }
    this.broadcast()
    if (until !== undefined) this.timers.set(id, this.clock.setTimeout(() => void this.clear(id, forMs !== undefined ? 'duration elapsed' : 'restart-after elapsed').catch(() => {}), until - now))
    return id
  }

  /** Ends a fault: restarts what it killed, removes it from the table, records FaultCleared. */
  async clear(id: string, reason: string, o: { restart?: boolean } = {}): Promise<void> {
    const f = this.faults.get(id)
    if (!f) throw new ChaosError(ChaosErrorCode.UnknownFault, `no fault ${id} in effect (kstate chaos ls lists them)`)
    this.faults.delete(id)
    const t = this.timers.get(id)
    if (t !== undefined) this.clock.clearTimeout(t)
    this.timers.delete(id)
    const restart = o.restart !== false
    const killed = f.fault.kind === 'kill-node' ? f.fault.node : f.fault.kind === 'kill-control-plane' ? 'control-plane' : undefined
    if (restart && killed) {
      // Recorded either way: the fault is over; a process that cannot start is the supervisor's to report.
      await this.o.targets.restart(killed).catch((e) => {
        this.o.log.error('restarting a killed process failed', { process: killed, error: (e as Error).message })
        reason = `${reason}; restart failed: ${(e as Error).message.split('\n')[0]}`
      })
    }
    this.broadcast()
    await this.recorder.cleared({ type: 'FaultCleared', v: 1, at: this.clock.now(), by: 'chaos', data: { id, reason } })
    this.o.log.info('fault cleared', { id, reason })
  }

  /** Clears every fault, recording it; at shutdown killed processes are not started again. */
  async clearAll(reason: string, o: { restart?: boolean } = {}): Promise<void> {
    for (const id of [...this.faults.keys()]) await this.clear(id, reason, o).catch(() => {})
  }

  stop(): void {
    clearInterval(this.resend)
    for (const t of this.timers.values()) this.clock.clearTimeout(t)
    this.recorder.stop()
    for (const s of this.subs) s.unsubscribe()
  }

  /** A pause names a live actor of some process (as `kstate inspect` lists them), else it would hold nothing. */
  private async mustExist(actor: string): Promise<void> {
    if (actorRoute(actor)) return
    const { items } = await getActor(this.o.nc, actor).then(
      (a) => ({ items: a ? [a] : [] }),
      () => ({ items: [] }),
    )
    if (items.length > 0) return
    const known = (await listActors(this.o.nc).catch(() => ({ items: [] as { id: string }[] }))).items.map((a) => a.id).filter((id) => !id.includes('/pod/'))
    throw new ChaosError(ChaosErrorCode.UnknownTarget, `no actor ${actor}${known.length ? ` (actors: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''})` : ''}`)
  }

  private validate(f: FaultSpec): void {
    const { targets } = this.o
    const known = (p: string) => targets.processes().includes(p)
    const killable = (p: string) => {
      if (targets.killable().length === 0) throw new ChaosError(ChaosErrorCode.NotSupervised, 'kills need OS processes: start the cluster with `kstate up --processes`')
      if (!targets.killable().includes(p)) throw new ChaosError(ChaosErrorCode.UnknownTarget, `no process ${p} (processes: ${targets.killable().join(', ')})`)
      if ([...this.faults.values()].some((a) => (a.fault.kind === 'kill-node' && a.fault.node === p) || (a.fault.kind === 'kill-control-plane' && p === 'control-plane')))
        throw new ChaosError(ChaosErrorCode.BadFault, `${p} is already killed`)
    }
    switch (f.kind) {
      case 'kill-node':
        return killable(f.node)
      case 'kill-control-plane':
        return killable('control-plane')
      case 'restart-nats':
        if (!targets.restartNats) throw new ChaosError(ChaosErrorCode.NotSupervised, 'nats-server was not started by kstate up (--nats-url): it cannot be restarted from here')
        if (this.list().some((a) => a.fault.kind === 'restart-nats')) throw new ChaosError(ChaosErrorCode.BadFault, 'nats-server is already restarting')
        return
      case 'partition':
        for (const p of [...f.a, ...f.from]) if (!known(p)) throw new ChaosError(ChaosErrorCode.UnknownTarget, `no process ${p} (processes: ${targets.processes().join(', ')})`)
        return
      case 'pause':
        return // any actor: its mailbox is held where it runs (chaos/mailbox.ts); mustExist checks the id
      case 'skew-clock':
        if (!known(f.node)) throw new ChaosError(ChaosErrorCode.UnknownTarget, `no node ${f.node}`)
        return
      default:
        if (f.scope?.actor && !actorRoute(f.scope.actor)) throw new ChaosError(ChaosErrorCode.NotPausable, `${f.scope.actor} takes no input over the bus; actors with bus traffic: ${PAUSABLE_ACTORS}`)
    }
  }

  private table(): FaultTableMessage {
    return { version: this.version, faults: this.list() }
  }

  private broadcast(): void {
    this.version++
    try {
      this.o.nc.publish(CHAOS_TABLE_SUBJECT, encode(this.table()))
    } catch {
      /* disconnected: the periodic resend delivers it */
    }
  }
}

function restartAt(f: FaultSpec, now: number): number | undefined {
  return (f.kind === 'kill-node' || f.kind === 'kill-control-plane') && f.restartAfterMs !== undefined ? now + f.restartAfterMs : undefined
}
