import type { NodeCondition } from 'kubernetes-types/core/v1.js'
import type { NodeLifecycleFlags } from '../../../actors/controllers/node-lifecycle/controller.js'
import { REASON_NEVER_UPDATED } from '../../../actors/controllers/node-lifecycle/node.js'
import { parseLogSubject, type LogEvent, type Recorded } from '../../../events/index.js'
import type { VirtualClock } from '../../clock/virtual-clock.js'
import type { LeaseSource } from '../../controllers/node-lifecycle-host.js'
import { NODE_CONTROLLER_USER } from '../../controllers/node-lifecycle-host.js'
import { kubeletNode } from './actors.js'

/**
 * Node Leases for the replay. Heartbeats are not history: the log never holds a Lease, yet the
 * node controller's verdicts hang on them. They are RECONSTRUCTED from what the log does hold:
 *
 * - A node whose kubelet has registered or reported (an event `by: system:node:<name>`) renews its
 *   Lease continuously from then on (every `renewEveryMs`, at most the monitor period).
 * - For each recorded Unknown verdict of the node controller at time T (a `NodeConditionChanged`
 *   with Ready Unknown), the node's last renewal is put at T − grace − monitor period (grace: the
 *   startup grace for `NodeStatusNeverUpdated`, the monitor grace otherwise) and its Lease stays
 *   silent until its kubelet reports again after T. The replayed controller then finds the node
 *   past grace at a monitor tick after T − period; the node's last recorded heartbeat
 *   (Ready.lastHeartbeatTime, which is in the log) may put that tick up to one period after T,
 *   since the phase of the ticks is not in the log: the verifier waits that long for it.
 *
 * So WHEN a node goes Unknown is taken from the log, within one monitor period, and compared
 * with that tolerance; what is verified is that the controller does conclude it then, what it
 * writes (conditions, reason, pods marked not ready) and every decision downstream: taints and
 * their zone rate limits, evictions, replacements, bindings, untainting on recovery. A verdict the
 * controller reaches for a node the log never saw go Unknown is a divergence.
 */
export class ReplayLeases implements LeaseSource {
  private onLease?: (name: string, renewTime: number) => void
  /** First kubelet report per node: renewals start there. */
  private readonly known = new Map<string, number>()
  /** Per node: silent intervals [from, until), `until` set when the kubelet reports after the verdict. */
  private readonly silent = new Map<string, { from: number; verdictAt: number; until?: number }[]>()
  private timer?: unknown
  private stopped = false
  readonly renewEveryMs: number

  constructor(
    private readonly clock: VirtualClock,
    private readonly flags: NodeLifecycleFlags,
  ) {
    this.renewEveryMs = Math.max(1, Math.min(flags.nodeMonitorPeriodMs, Math.floor(flags.nodeMonitorGracePeriodMs / 4)))
  }

  /** How far ahead of the clock the history must be read for every silence to be known in time. */
  get horizonMs(): number {
    return Math.max(this.flags.nodeMonitorGracePeriodMs, this.flags.nodeStartupGracePeriodMs) + this.flags.nodeMonitorPeriodMs + this.renewEveryMs
  }

  async start(onLease: (name: string, renewTime: number) => void): Promise<() => Promise<void>> {
    this.onLease = onLease
    const tick = () => {
      if (this.stopped) return
      const now = this.clock.now()
      for (const node of this.known.keys()) if (this.alive(node, now)) onLease(node, now)
      this.timer = this.clock.setTimeout(tick, this.renewEveryMs)
    }
    this.timer = this.clock.setTimeout(tick, this.renewEveryMs)
    return async () => {
      this.stopped = true
      this.clock.clearTimeout(this.timer)
    }
  }

  /** Sees each event when the replay reads it, ahead of the clock. */
  observe(rec: Recorded<LogEvent>): void {
    const e = rec.event
    const ref = parseLogSubject(rec.subject)
    if (ref?.resource !== 'nodes') return
    if (e.by === NODE_CONTROLLER_USER && e.type === 'NodeConditionChanged' && readyOf(e.data.conditions) === 'Unknown') {
      const grace = e.data.reason === REASON_NEVER_UPDATED ? this.flags.nodeStartupGracePeriodMs : this.flags.nodeMonitorGracePeriodMs
      const from = e.at - grace - this.flags.nodeMonitorPeriodMs
      const list = this.silent.get(ref.name) ?? []
      list.push({ from, verdictAt: e.at })
      this.silent.set(ref.name, list)
      // The last renewal, exactly at the start of the silence.
      const renewal = () => {
        if (!this.stopped && this.known.has(ref.name) && (this.known.get(ref.name) ?? Infinity) <= from) this.onLease?.(ref.name, from)
      }
      if (from >= this.clock.now()) this.clock.setTimeout(renewal, from - this.clock.now())
      return
    }
    const node = kubeletNode(e.by)
    if (node !== ref.name) return
    const reports = e.type === 'NodeRegistered' ? readyOf(e.data.object.status?.conditions) : e.type === 'NodeStatusUpdated' ? readyOf(e.data.status.conditions) : undefined
    if (e.type !== 'NodeRegistered' && e.type !== 'NodeStatusUpdated') return
    if (!this.known.has(node)) this.known.set(node, e.at)
    // The kubelet reports again after the verdict: its Lease is renewed again from then on.
    const last = this.silent.get(node)?.at(-1)
    if (last && last.until === undefined && e.at >= last.verdictAt && (reports === 'True' || reports === 'False' || e.type === 'NodeRegistered')) last.until = e.at
  }

  /** Before an input is applied: a kubelet's own report comes with a fresh Lease, as a kubelet renews it first. */
  beforeInput(rec: Recorded<LogEvent>): boolean {
    const node = kubeletNode(rec.event.by)
    const ref = parseLogSubject(rec.subject)
    if (!node || ref?.resource !== 'nodes' || ref.name !== node) return false
    const now = this.clock.now()
    if (!this.alive(node, now)) return false
    this.onLease?.(node, now)
    return true
  }

  private alive(node: string, t: number): boolean {
    const since = this.known.get(node)
    if (since === undefined || t < since) return false
    for (const s of this.silent.get(node) ?? []) if (t >= s.from && (s.until === undefined || t < s.until)) return false
    return true
  }
}

function readyOf(conditions: NodeCondition[] | undefined): string | undefined {
  return conditions?.find((c) => c.type === 'Ready')?.status
}
