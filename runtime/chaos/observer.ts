import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { createHash } from 'node:crypto'
import { LOG_STREAM, logResourceFilter, type LogEvent, type Recorded, type Resource } from '../../events/index.js'
import { tailLog, type Tail } from '../event-log/tail.js'
import { InvariantSuite, replicaSetStates } from '../invariants/index.js'
import { ClusterStore } from '../projections/cluster-store.js'

/**
 * A scenario's view of the cluster: the whole log, replayed into a projection of its own and fed
 * to the invariant suite as it arrives. Faults count for convergence only when this run injected
 * them (an older, never-cleared record in the history must not freeze the clock).
 */
export class ScenarioObserver {
  readonly store = new ClusterStore()
  readonly suite: InvariantSuite
  /** Fault ids this run injected, and when each began and ended according to the log. */
  private readonly mine = new Set<string>()
  private readonly open = new Set<string>()
  private readonly seen = new Map<string, { injected?: number; cleared?: number }>()
  lastFaultEnd?: number
  firstFaultBegan?: number
  /** Time of the last event that changed a ReplicaSet or one of its pods: when the workload took its current shape. */
  lastWorkloadChange = 0
  private readonly workloadPods = new Set<string>()
  private tail?: Tail
  private readonly subs: { unsubscribe(): void }[] = []

  constructor(
    private readonly nc: NatsConnection,
    start: number,
    convergeWithinMs: number,
  ) {
    this.suite = new InvariantSuite({ convergeWithinMs, start, runtimeFromLog: true })
    for (const r of ['pods', 'nodes', 'replicasets'] as const) {
      this.subs.push((this.store.resource(r).changes$ as import('rxjs').Observable<import('../projections/types.js').ObjectChange<unknown>>).subscribe((c) => this.suite.change('chaos-run', r, c)))
    }
  }

  async start(): Promise<void> {
    this.tail = await tailLog(jetstream(this.nc), { filter: logResourceFilter('>'), onEvent: (rec) => this.apply(rec) })
    await this.tail.caughtUp
  }

  /** A fault this run injected: its records (seen already or still to come) move the convergence clock. */
  own(id: string): void {
    this.mine.add(id)
    const seen = this.seen.get(id)
    if (seen?.injected !== undefined) this.began(id, seen.injected)
    if (seen?.cleared !== undefined) this.ended(id, seen.cleared)
  }

  private began(id: string, at: number): void {
    if (this.open.has(id) || !this.mine.has(id)) return
    this.open.add(id)
    this.firstFaultBegan ??= at
    this.suite.faultBegan(at)
  }

  private ended(id: string, at: number): void {
    if (!this.open.delete(id)) return
    this.suite.faultEnded(at)
    this.lastFaultEnd = Math.max(this.lastFaultEnd ?? 0, at)
  }

  get faultsOpen(): number {
    return this.open.size
  }

  private apply(rec: Recorded<LogEvent>): void {
    this.store.apply(rec)
    this.suite.record(rec)
    const e = rec.event
    if (e.type === 'PodCreated' && e.data.object.metadata?.ownerReferences?.some((r) => r.controller)) this.workloadPods.add(rec.subject)
    if (this.workloadPods.has(rec.subject) || e.type.startsWith('ReplicaSet')) this.lastWorkloadChange = Math.max(this.lastWorkloadChange, e.at)
    if (e.type === 'PodDeleted') this.workloadPods.delete(rec.subject)
    if (e.type === 'FaultInjected' || e.type === 'FaultCleared') {
      // The record can arrive before the injecting call returns its id: kept until `own`.
      const seen = this.seen.get(e.data.id) ?? {}
      this.seen.set(e.data.id, seen)
      if (e.type === 'FaultInjected') (seen.injected = e.at), this.began(e.data.id, e.at)
      else (seen.cleared = e.at), this.ended(e.data.id, e.at)
    } else if (e.type === 'ReplicaSetCreated' || e.type === 'ReplicaSetScaled' || e.type === 'ReplicaSetUpdated' || e.type === 'ReplicaSetDeleted') {
      this.suite.desiredChanged(e.at)
    }
  }

  /** Feeds the ReplicaSets' current state to the convergence check; true when all have converged. */
  checkConvergence(now: number): boolean {
    const states = replicaSetStates(this.store.replicasets.list(), this.store.pods.list())
    this.suite.replicaSets(now, states)
    return states.every((s) => s.active === s.desired && s.ready === s.desired)
  }

  readyNodes(): number {
    return this.store.nodes.list().filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length
  }

  /** Resolves once the projection has applied everything the log holds now. */
  async catchUp(timeoutMs = 30_000): Promise<void> {
    const info = await (await jetstreamManager(this.nc)).streams.info(LOG_STREAM)
    const last = info.state.last_seq
    const deadline = Date.now() + timeoutMs
    while (this.store.rev < last) {
      if (Date.now() > deadline) throw new Error(`the log reached rev ${last}, the scenario's projection only ${this.store.rev}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe()
    await this.tail?.stop().catch(() => {})
  }
}

/** A projection's summary for comparing processes: every object's key and resourceVersion, hashed in key order. */
export function versionHash(objects: readonly { metadata?: { namespace?: string; name?: string; resourceVersion?: string } }[]): string {
  const lines = objects.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}=${o.metadata?.resourceVersion ?? ''}`).sort()
  return createHash('sha256').update(lines.join('\n')).digest('hex')
}

/** Replays the log up to `rev` into a fresh projection: what every process must hold at that revision. */
export async function projectionAt(nc: NatsConnection, rev: number): Promise<ClusterStore> {
  const store = new ClusterStore()
  if (rev <= 0) return store
  let done!: () => void
  const reached = new Promise<void>((r) => (done = r))
  const tail = await tailLog(jetstream(nc), {
    filter: logResourceFilter('>'),
    onEvent: (rec) => {
      if (rec.rev <= rev) store.apply(rec)
      if (rec.rev >= rev) done()
    },
  })
  await reached
  await tail.stop()
  return store
}

export const PROJECTED: readonly Resource[] = ['pods', 'nodes', 'replicasets']
