import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { INVARIANTS, type ViolationSink } from './violation.js'

/** One ReplicaSet against its pods: desired replicas, active pods it controls, and those Running and Ready. */
export interface ReplicaSetState {
  /** `replicaset/default/web`. */
  object: string
  desired: number
  active: number
  ready: number
}

const isActive = (p: Pod) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'
const isReady = (p: Pod) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true

/** Counts every ReplicaSet's pods (by controller owner uid) in one pass over the pods. */
export function replicaSetStates(replicaSets: Iterable<ReplicaSet>, pods: Iterable<Pod>): ReplicaSetState[] {
  const byUid = new Map<string, ReplicaSetState>()
  const states: ReplicaSetState[] = []
  for (const rs of replicaSets) {
    const s: ReplicaSetState = { object: `replicaset/${rs.metadata?.namespace ?? 'default'}/${rs.metadata?.name ?? ''}`, desired: rs.spec?.replicas ?? 1, active: 0, ready: 0 }
    states.push(s)
    if (rs.metadata?.uid) byUid.set(rs.metadata.uid, s)
  }
  for (const p of pods) {
    const owner = p.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'ReplicaSet')
    const s = owner && byUid.get(owner.uid)
    if (!s || !isActive(p)) continue
    s.active++
    if (isReady(p)) s.ready++
  }
  return states
}

export const isConverged = (s: ReplicaSetState) => s.active === s.desired && s.ready === s.desired

const ownerUid = (p: Pod) => p.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'ReplicaSet')?.uid

/**
 * `replicaSetStates` kept up to date one change at a time, for runs that check often: each pod
 * change moves its contribution (active, ready) from the old object to the new, so a check costs
 * one step per ReplicaSet instead of a walk over every pod.
 */
export class ReplicaSetTally {
  private readonly counts = new Map<string, { active: number; ready: number }>()
  private readonly sets = new Map<string, { uid: string; object: string; desired: number }>()

  /** A pod changed: `before` and `after` are undefined when it was created or deleted. */
  pod(before: Pod | undefined, after: Pod | undefined): void {
    if (before) this.count(before, -1)
    if (after) this.count(after, 1)
  }

  /** A ReplicaSet (by `namespace/name`) changed; undefined when deleted. */
  replicaSet(key: string, rs: ReplicaSet | undefined): void {
    if (!rs) this.sets.delete(key)
    else this.sets.set(key, { uid: rs.metadata?.uid ?? '', object: `replicaset/${key}`, desired: rs.spec?.replicas ?? 1 })
  }

  states(): ReplicaSetState[] {
    return [...this.sets.values()].map((s) => {
      const c = this.counts.get(s.uid)
      return { object: s.object, desired: s.desired, active: c?.active ?? 0, ready: c?.ready ?? 0 }
    })
  }

  private count(p: Pod, sign: 1 | -1): void {
    const uid = ownerUid(p)
    if (!uid || !isActive(p)) return
    let c = this.counts.get(uid)
    if (!c) this.counts.set(uid, (c = { active: 0, ready: 0 }))
    c.active += sign
    if (isReady(p)) c.ready += sign
  }
}

/**
 * Every ReplicaSet converges to its desired replicas (that many active pods, all Running and
 * Ready) within `withinMs` after the last disturbance: a fault beginning or ending, or a change of
 * desired state. While a fault is in effect the clock does not run. Reported once per ReplicaSet
 * per quiet period; `worstMs` is the longest time any quiet period took to converge.
 */
export class ReplicaSetConvergence {
  private active = 0
  private lastChange: number
  private reported = new Set<string>()
  /** When everything last became converged in the current quiet period, if it has. */
  convergedAt?: number
  worstMs = 0

  constructor(
    private readonly sink: ViolationSink,
    readonly withinMs: number,
    start: number,
  ) {
    this.lastChange = start
  }

  begin(at: number): void {
    this.active++
    this.changed(at)
  }
  end(at: number): void {
    this.active = Math.max(0, this.active - 1)
    this.changed(at)
  }
  /** A change that begins and ends at once (a user scales a ReplicaSet). */
  disturb(at: number): void {
    this.changed(at)
  }

  /** Faults in effect now: while any is, a check can find nothing. */
  get inEffect(): number {
    return this.active
  }

  /** Whether a check now could find a violation: nothing in effect and the allowed time is over. */
  due(now: number): boolean {
    return this.active === 0 && now - this.lastChange > this.withinMs
  }

  check(now: number, states: readonly ReplicaSetState[]): void {
    const behind = states.filter((s) => !isConverged(s))
    if (behind.length === 0) {
      if (this.convergedAt === undefined && this.active === 0) {
        this.convergedAt = now
        this.worstMs = Math.max(this.worstMs, now - this.lastChange)
      }
      return
    }
    this.convergedAt = undefined
    if (!this.due(now)) return
    for (const s of behind) {
      if (this.reported.has(s.object)) continue
      this.reported.add(s.object)
      this.sink({
        invariant: INVARIANTS.replicaSetsConverge,
        object: s.object,
        at: now,
        message: `${s.active} active and ${s.ready} ready of ${s.desired} desired replicas ${Math.round((now - this.lastChange) / 1000)} s after the last disturbance (allowed: ${this.withinMs / 1000} s)`,
      })
    }
  }

  private changed(at: number): void {
    this.lastChange = Math.max(this.lastChange, at)
    this.reported = new Set()
    this.convergedAt = undefined
  }
}
