import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js'
import { assign, enqueueActions, raise, setup } from 'xstate'
import { isExcludedFromDisruption, nodeZone } from './zones.js'

/**
 * One node as the Node Lifecycle Controller sees it (Kubernetes 1.32 `monitorNodeHealth`,
 * `tryUpdateNodeHealth`, `processTaintBaseEviction`), a child of the controller machine with the
 * id `node-controller/<node>`. Two regions:
 *
 *   health: what the node's Ready condition says, or must be made to say
 *     startup ──CHECK[past startup grace] / SetNodeConditions(NodeStatusNeverUpdated)──────────▶ unknown
 *     startup ──CHECK[the kubelet posts Ready True | False]──▶ ready | notReady
 *     ready ────CHECK[past grace] / SetNodeConditions(NodeStatusUnknown), MarkPodsNotReady──▶ unknown
 *     ready ◀───CHECK[the kubelet posts True | False]───▶ notReady
 *     notReady ─CHECK[past grace] / SetNodeConditions(NodeStatusUnknown)──────────────────────▶ unknown
 *     unknown ──CHECK[the kubelet posts True | False again, with a fresh heartbeat]──▶ ready | notReady
 *
 *   taint: the controller's NoExecute taint on the node
 *     untainted ──CHECK[Ready False | Unknown] / RequestTaint (zone rate limiter)──▶ awaitingTaint
 *     awaitingTaint ──CHECK[the node carries it]──▶ tainted.notReady | tainted.unreachable
 *     tainted.X ──CHECK[Ready flipped False ↔ Unknown] / RequestTaint(add Y, remove X; at once)──▶ awaitingTaint
 *     tainted.X ──CHECK[Ready True, or every zone down] / RemoveTaints──▶ removing ──CHECK[gone]──▶ untainted
 *     awaitingTaint | removing ──TAINT_FAILED──▶ retrying ──next CHECK──▶ decided again
 *
 * External events (NODE_STATUS, LEASE, MONITOR_TICK, DISRUPTION_MODE) only record data and raise
 * CHECK; both regions decide on CHECK from that data, so a region never reads half-updated
 * context. Health is data, not a timer: the node is past grace when
 * `now > max(lease renewTime, Ready.lastHeartbeatTime, observedFrom) + grace`, so the machine
 * rebuilt from the projection and the lease bucket after a restart reaches the same verdict.
 * Time comes only from the events (`now`); the parent's single monitor timer drives the ticks.
 *
 * Output goes to the parent (the zone rate limiter lives there) as NODE_COMMAND, NODE_MEMBERSHIP
 * and NODE_WATCH events; the parent emits what the host must do. NODE_WATCH says when the node's
 * ticks start to matter, so the parent sends them only then: a healthy node's machine sleeps.
 */

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready'
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable'
export type TaintKind = 'notReady' | 'unreachable'
export const TAINT_KEYS: Readonly<Record<TaintKind, string>> = { notReady: TAINT_NOT_READY, unreachable: TAINT_UNREACHABLE }
export interface TaintRef {
  key: string
  effect: string
}
export const taintRef = (kind: TaintKind): TaintRef => ({ key: TAINT_KEYS[kind], effect: 'NoExecute' })
const opposite = (kind: TaintKind): TaintKind => (kind === 'notReady' ? 'unreachable' : 'notReady')

/** The conditions set Unknown when the kubelet goes silent (NetworkUnavailable belongs to the network plugin). */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const

export const REASON_UNKNOWN = 'NodeStatusUnknown'
export const MESSAGE_UNKNOWN = 'Kubelet stopped posting node status.'
export const REASON_NEVER_UPDATED = 'NodeStatusNeverUpdated'
export const MESSAGE_NEVER_UPDATED = 'Kubelet never posted node status.'

export interface NodeGrace {
  /** `--node-monitor-grace-period`. */
  nodeMonitorGracePeriodMs: number
  /** `--node-startup-grace-period`: applies while the kubelet has never posted a Ready condition. */
  nodeStartupGracePeriodMs: number
}

export type ConditionStatus = 'True' | 'False' | 'Unknown'
export type Health = 'startup' | 'ready' | 'notReady' | 'unknown'

/** What the controller reads from one version of a Node object. */
export interface NodeObservation {
  /** The log revision of this version. */
  rev: number
  /** metadata.creationTimestamp, epoch ms. */
  createdAt?: number
  conditions: NodeCondition[]
  /** Status of the Ready condition; undefined when there is none (the kubelet never posted one). */
  ready?: ConditionStatus
  /** Ready.lastHeartbeatTime, epoch ms. */
  heartbeat?: number
  /** The controller's NoExecute taints the node carries. */
  taints: TaintKind[]
  zone: string
  excluded: boolean
}

const parseTime = (s: string | undefined): number | undefined => {
  if (!s) return undefined
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : t
}

export function observeNode(node: Node, rev: number): NodeObservation {
  const conditions = node.status?.conditions ?? []
  const readyCondition = conditions.find((c) => c.type === 'Ready')
  const s = readyCondition?.status
  const taints = node.spec?.taints ?? []
  const has = (kind: TaintKind) => taints.some((t) => t.key === TAINT_KEYS[kind] && t.effect === 'NoExecute')
  return {
    rev,
    createdAt: parseTime(node.metadata?.creationTimestamp),
    conditions,
    ready: readyCondition ? (s === 'True' || s === 'False' ? s : 'Unknown') : undefined,
    heartbeat: parseTime(readyCondition?.lastHeartbeatTime),
    taints: (['notReady', 'unreachable'] as const).filter(has),
    zone: nodeZone(node),
    excluded: isExcludedFromDisruption(node),
  }
}

/** RFC 3339 with second precision, as metav1.Time serializes. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/**
 * The conditions `tryUpdateNodeHealth` writes past grace: each monitored condition becomes
 * Unknown (reason NodeStatusUnknown), or is added as Unknown with NodeStatusNeverUpdated and the
 * creation time as heartbeat when the kubelet never posted it; one already Unknown is left as is.
 * Heartbeat times are kept, so the write does not count as a sign of life.
 */
export function unknownConditions(node: NodeObservation, now: number): { conditions: NodeCondition[]; reason: string } {
  const at = rfc3339(now)
  const conditions = MONITORED_CONDITIONS.map((type): NodeCondition => {
    const current = node.conditions.find((c) => c.type === type)
    if (!current) {
      return {
        type,
        status: 'Unknown',
        reason: REASON_NEVER_UPDATED,
        message: MESSAGE_NEVER_UPDATED,
        ...(node.createdAt !== undefined ? { lastHeartbeatTime: rfc3339(node.createdAt) } : {}),
        lastTransitionTime: at,
      }
    }
    if (current.status === 'Unknown') return current
    return { ...current, status: 'Unknown', reason: REASON_UNKNOWN, message: MESSAGE_UNKNOWN, lastTransitionTime: at }
  })
  return { conditions, reason: node.ready === undefined ? REASON_NEVER_UPDATED : REASON_UNKNOWN }
}

/** Where the node counts in its zone's disruption state. */
export interface Membership {
  zone: string
  /** Counted as Ready (its Ready condition is True as far as the controller knows). */
  ready: boolean
  /** False for nodes labelled `node.kubernetes.io/exclude-disruption`. */
  counted: boolean
}

/** What a node asks of its parent; `cause` is the log revision the request follows from. */
export type NodeMonitorCommand =
  /** Write the monitored conditions (`setNodeConditions` → NodeConditionChanged). cause: the node's last revision. */
  | { type: 'SetNodeConditions'; node: string; conditions: NodeCondition[]; reason: string; cause: number }
  /** Set the Ready condition of every pod on the node to False. cause: the node's last revision. */
  | { type: 'MarkPodsNotReady'; node: string; cause: number }
  /**
   * Taint the node NoExecute (`add`), removing `remove` in the same request. Through the zone's
   * rate limiter, unless `immediate` (the not-ready ↔ unreachable swap is not rate limited).
   * cause: the revision that brought the Ready status calling for it (NodeConditionChanged).
   */
  | { type: 'RequestTaint'; node: string; add: TaintRef; remove?: TaintRef; immediate: boolean; cause: number }
  /** Forget a RequestTaint still waiting in the zone queue. */
  | { type: 'CancelTaint'; node: string }
  /** Remove these taints (not rate limited). cause: the revision of the Ready status that made them unwanted. */
  | { type: 'RemoveTaints'; node: string; taints: TaintRef[]; cause: number }

/**
 * When a monitor tick can matter to the node: what `tickMatters` reads, reported to the parent so
 * that it ticks only nodes whose verdict the passing of time can change (of 5,000 healthy nodes,
 * none). The parent adds the latest lease it knows, which is never older than the node's.
 */
export interface TickWatch {
  /** The latest sign of life other than a lease: Ready heartbeat, or when watching began. */
  seen: number
  /** Grace after the last sign of life (startup grace while the kubelet never posted Ready). */
  grace: number
  /** A command failed or MarkPodsNotReady waits for a retry: the next tick matters whatever the time. */
  urgent: boolean
  /** Whether running out of grace changes anything (no longer once Unknown is written). */
  onExpiry: boolean
}

/**
 * The time past which a tick matters to a node that reported `watch`, given its latest `lease`:
 * `-Infinity` when a retry waits, `Infinity` when running out of grace changes nothing.
 */
export function tickDeadline(watch: TickWatch, lease: number | undefined): number {
  if (watch.urgent) return -Infinity
  return watch.onExpiry ? Math.max(watch.seen, lease ?? -Infinity) + watch.grace : Infinity
}

/** Whether a tick at `now` matters to a node that reported `watch`. */
export const tickDue = (watch: TickWatch, lease: number | undefined, now: number): boolean => now > tickDeadline(watch, lease)

/** Events a node machine sends its parent. */
export type NodeMonitorReport =
  | { type: 'NODE_COMMAND'; command: NodeMonitorCommand }
  | { type: 'NODE_MEMBERSHIP'; node: string; membership: Membership }
  /** When the node's ticks start to matter (see `TickWatch`); sent when it changes. */
  | { type: 'NODE_WATCH'; node: string; watch: TickWatch }

/** Commands the host executes that can fail; a failure comes back as COMMAND_FAILED. */
export type FailableCommand = 'SetNodeConditions' | 'MarkPodsNotReady' | 'ApplyTaint' | 'RemoveTaints'

export type NodeMonitorEvent =
  /** A new version of the Node (informer change): `rev` its revision, `eventType` the log event behind it. */
  | { type: 'NODE_STATUS'; node: Node; rev: number; eventType?: string; now: number; lease?: number }
  /** The node's Lease was renewed at `renewTime` (epoch ms). */
  | { type: 'LEASE'; renewTime: number; now: number }
  /** The controller's monitor period elapsed (`--node-monitor-period`). */
  /** `lease`: the latest renewTime the controller knows (Ready nodes get leases only this way). */
  | { type: 'MONITOR_TICK'; now: number; lease?: number }
  /** Every zone is fully disrupted (on) or no longer (off): Kubernetes' master disruption mode. */
  | { type: 'DISRUPTION_MODE'; on: boolean; now: number; lease?: number }
  /** The host gave up on a command for now; the next tick decides again. */
  | { type: 'COMMAND_FAILED'; command: FailableCommand; cause: number; lease?: number }
  /** Internal: decide from the recorded data. */
  | { type: 'CHECK' }
  /** Internal: tell the parent if the node's zone membership changed. */
  | { type: 'REPORT' }
  /** Internal: the taint or untaint request failed. */
  | { type: 'TAINT_FAILED' }

export interface NodeMonitorInput {
  name: string
  grace: NodeGrace
  now: number
  node: Node
  rev: number
  /** Last known lease renewTime, epoch ms. */
  lease?: number
  /** Master disruption mode is on: no taints. */
  suppressed?: boolean
}

export interface NodeMonitorContext {
  name: string
  grace: NodeGrace
  now: number
  node: NodeObservation
  /** Revision of the event that brought the current Ready status (the taint's cause). */
  readyRev: number
  lease?: number
  /**
   * Lower bound of the node's health: when the controller first saw it (Kubernetes assumes "now"
   * for a node it has no probe time for) or left master disruption mode; the creation time for a
   * node that never posted Ready.
   */
  observedFrom: number
  /** Mirror of the health region, for membership. */
  health: Health
  /** A SetNodeConditions is in flight. */
  writing: boolean
  /** MarkPodsNotReady failed; retried at the next tick while the node is not Ready (`nodesToRetry`). Holds the cause. */
  markPods?: number
  /** The RequestTaint sent (while awaitingTaint). */
  requested?: { add: TaintKind; remove?: TaintKind }
  suppressed: boolean
  /** A command failed: the next tick decides again. */
  retry: boolean
  reported?: Membership
  /** The TickWatch last sent to the parent. */
  watched?: TickWatch
}

// ---------------------------------------------------------------------------------------------
// Decisions, as pure functions of the context.

export const graceOf = (ctx: Pick<NodeMonitorContext, 'grace' | 'node'>): number =>
  ctx.node.ready === undefined ? ctx.grace.nodeStartupGracePeriodMs : ctx.grace.nodeMonitorGracePeriodMs

/** The latest sign of life: lease renewal, Ready heartbeat, or when the controller began watching. */
export const lastSeen = (ctx: Pick<NodeMonitorContext, 'observedFrom' | 'lease' | 'node'>): number =>
  Math.max(ctx.observedFrom, ctx.lease ?? -Infinity, ctx.node.heartbeat ?? -Infinity)

/** The time past which the node is Unknown if nothing is heard from it. */
export const healthDeadline = (ctx: Pick<NodeMonitorContext, 'observedFrom' | 'lease' | 'node' | 'grace'>): number => lastSeen(ctx) + graceOf(ctx)

const expiredAt = (ctx: NodeMonitorContext, now: number) => now > healthDeadline(ctx)
const expired = (ctx: NodeMonitorContext) => expiredAt(ctx, ctx.now)

/** The taint the node's Ready status calls for (`processTaintBaseEviction`), none in master disruption mode. */
export function wantedTaint(ctx: Pick<NodeMonitorContext, 'suppressed' | 'node'>): TaintKind | undefined {
  if (ctx.suppressed) return undefined
  return ctx.node.ready === 'False' ? 'notReady' : ctx.node.ready === 'Unknown' ? 'unreachable' : undefined
}

const carriesOnly = (ctx: NodeMonitorContext, kind: TaintKind) => ctx.node.taints.length === 1 && ctx.node.taints[0] === kind
const holdsOnlyWanted = (ctx: NodeMonitorContext, kind: TaintKind) => wantedTaint(ctx) === kind && carriesOnly(ctx, kind)

/** The request that would bring the node's taints to what its status calls for. */
function taintPlan(ctx: NodeMonitorContext): { add: TaintKind; remove?: TaintKind } | undefined {
  const want = wantedTaint(ctx)
  if (!want) return undefined
  const other = opposite(want)
  return ctx.node.taints.includes(other) ? { add: want, remove: other } : { add: want }
}

export function tickWatch(ctx: NodeMonitorContext): TickWatch {
  return {
    seen: Math.max(ctx.observedFrom, ctx.node.heartbeat ?? -Infinity),
    grace: graceOf(ctx),
    urgent: ctx.retry || ctx.markPods !== undefined,
    onExpiry: ctx.health !== 'unknown' || (ctx.node.ready !== 'Unknown' && !ctx.writing),
  }
}
const sameWatch = (a: TickWatch | undefined, b: TickWatch) => !!a && a.seen === b.seen && a.grace === b.grace && a.urgent === b.urgent && a.onExpiry === b.onExpiry

/** A monitor tick only matters when time can change a verdict or a failed command waits. */
const tickMatters = (ctx: NodeMonitorContext, now: number): boolean => tickDue(tickWatch(ctx), ctx.lease, now)

function membershipOf(ctx: NodeMonitorContext): Membership {
  return { zone: ctx.node.zone, ready: ctx.health === 'ready', counted: !ctx.node.excluded }
}
const sameMembership = (a: Membership | undefined, b: Membership) => !!a && a.zone === b.zone && a.ready === b.ready && a.counted === b.counted

const observedHealth = (node: NodeObservation): Health =>
  node.ready === undefined ? 'startup' : node.ready === 'True' ? 'ready' : node.ready === 'False' ? 'notReady' : 'unknown'

export function initialNodeContext(input: NodeMonitorInput): NodeMonitorContext {
  const node = observeNode(input.node, input.rev)
  return {
    name: input.name,
    grace: input.grace,
    now: input.now,
    node,
    readyRev: input.rev,
    lease: input.lease,
    observedFrom: node.ready === undefined ? Math.min(input.now, node.createdAt ?? input.now) : input.now,
    health: observedHealth(node),
    writing: false,
    suppressed: input.suppressed ?? false,
    retry: false,
  }
}

const report = (command: NodeMonitorCommand): NodeMonitorReport => ({ type: 'NODE_COMMAND', command })

// ---------------------------------------------------------------------------------------------
// The machine.

/** Where each external event is handled; fails to compile when one is added and not placed. */
export const NODE_MONITOR_EVENT_HANDLERS: Record<NodeMonitorEvent['type'], string> = {
  NODE_STATUS: 'root: record the node, then CHECK',
  LEASE: 'root: record the renewal (then CHECK when it can end Unknown)',
  MONITOR_TICK: 'root: when it matters, record the time, CHECK, retry MarkPodsNotReady',
  DISRUPTION_MODE: 'root: suppress or allow taints, then CHECK',
  COMMAND_FAILED: 'root: clear the in-flight marks (TAINT_FAILED for taint requests)',
  CHECK: 'health.*, taint.*',
  REPORT: 'root: NODE_MEMBERSHIP and NODE_WATCH to the parent when they changed',
  TAINT_FAILED: 'taint.awaitingTaint | taint.removing → retrying',
}

export const nodeMonitorMachine = setup({
  types: {
    context: {} as NodeMonitorContext,
    events: {} as NodeMonitorEvent,
    input: {} as NodeMonitorInput,
  },
  actions: {
    recordNode: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'NODE_STATUS') return
      const node = observeNode(event.node, event.rev)
      enqueue.assign({
        node,
        now: Math.max(context.now, event.now),
        readyRev: node.ready !== context.node.ready ? event.rev : context.readyRev,
        writing: node.ready === 'Unknown' ? false : context.writing,
      })
      enqueue.raise({ type: 'CHECK' })
      enqueue.raise({ type: 'REPORT' })
    }),
    recordLease: assign(({ context, event }) =>
      event.type === 'LEASE' ? { lease: Math.max(context.lease ?? -Infinity, event.renewTime), now: Math.max(context.now, event.now) } : {},
    ),
    /** Events from the controller carry the latest lease it knows (Ready nodes get no LEASE events). */
    recordCarriedLease: assign(({ context, event }) => {
      const lease = event.type === 'NODE_STATUS' || event.type === 'DISRUPTION_MODE' || event.type === 'COMMAND_FAILED' ? event.lease : undefined
      return lease !== undefined && lease > (context.lease ?? -Infinity) ? { lease } : {}
    }),
    recordTick: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'MONITOR_TICK') return
      const lease = event.lease !== undefined && event.lease > (context.lease ?? -Infinity) ? event.lease : context.lease
      enqueue.assign({ now: Math.max(context.now, event.now), retry: false, markPods: undefined, lease })
      if (context.markPods !== undefined && context.health !== 'ready') {
        enqueue.sendParent(report({ type: 'MarkPodsNotReady', node: context.name, cause: context.markPods }))
      }
      enqueue.raise({ type: 'CHECK' })
      enqueue.raise({ type: 'REPORT' })
    }),
    recordDisruptionMode: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'DISRUPTION_MODE') return
      const now = Math.max(context.now, event.now)
      // Leaving master disruption mode gives every node a fresh grace period, as Kubernetes does.
      enqueue.assign({ suppressed: event.on, now, observedFrom: event.on ? context.observedFrom : now })
      enqueue.raise({ type: 'CHECK' })
      enqueue.raise({ type: 'REPORT' })
    }),
    recordFailure: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'COMMAND_FAILED') return
      // Its ticks matter now: the parent must hear of it.
      enqueue.raise({ type: 'REPORT' })
      switch (event.command) {
        case 'SetNodeConditions':
          return enqueue.assign({ writing: false, retry: true })
        case 'MarkPodsNotReady':
          return enqueue.assign({ markPods: event.cause })
        case 'ApplyTaint':
        case 'RemoveTaints':
          enqueue.assign({ retry: true })
          return enqueue.raise({ type: 'TAINT_FAILED' })
        default: {
          const unhandled: never = event.command
          throw new Error(`unhandled failure of ${String(unhandled)}`)
        }
      }
    }),
    report: enqueueActions(({ context, enqueue }) => {
      const membership = membershipOf(context)
      if (!sameMembership(context.reported, membership)) {
        enqueue.assign({ reported: membership })
        enqueue.sendParent({ type: 'NODE_MEMBERSHIP', node: context.name, membership } satisfies NodeMonitorReport)
      }
      const watch = tickWatch(context)
      if (!sameWatch(context.watched, watch)) {
        enqueue.assign({ watched: watch })
        enqueue.sendParent({ type: 'NODE_WATCH', node: context.name, watch } satisfies NodeMonitorReport)
      }
    }),
    enterHealth: assign((_, health: Health) => ({ health })),
    writeUnknown: enqueueActions(({ context, enqueue }) => {
      const { conditions, reason } = unknownConditions(context.node, context.now)
      enqueue.assign({ writing: true })
      enqueue.sendParent(report({ type: 'SetNodeConditions', node: context.name, conditions, reason, cause: context.node.rev }))
    }),
    markPodsNotReady: enqueueActions(({ context, enqueue }) => {
      enqueue.sendParent(report({ type: 'MarkPodsNotReady', node: context.name, cause: context.node.rev }))
    }),
    requestTaint: enqueueActions(({ context, enqueue }) => {
      const plan = taintPlan(context)
      if (!plan) return
      enqueue.assign({ requested: plan })
      enqueue.sendParent(
        report({
          type: 'RequestTaint',
          node: context.name,
          add: taintRef(plan.add),
          ...(plan.remove ? { remove: taintRef(plan.remove) } : {}),
          immediate: plan.remove !== undefined,
          cause: context.readyRev,
        }),
      )
    }),
    cancelTaint: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ requested: undefined })
      enqueue.sendParent(report({ type: 'CancelTaint', node: context.name }))
    }),
    removeTaints: enqueueActions(({ context, enqueue }) => {
      enqueue.sendParent(report({ type: 'RemoveTaints', node: context.name, taints: context.node.taints.map(taintRef), cause: context.readyRev }))
    }),
    clearRequest: assign({ requested: undefined }),
    raiseCheck: raise({ type: 'CHECK' }),
    raiseReport: raise({ type: 'REPORT' }),
  },
  guards: {
    /** Most ticks change nothing: they are not even recorded (5,000 nodes, one tick each per period). */
    leaseMayEndUnknown: ({ context }) => context.health === 'unknown' && context.node.ready !== 'Unknown',
    tickMatters: ({ context, event }) =>
      event.type === 'MONITOR_TICK' && tickMatters({ ...context, lease: Math.max(context.lease ?? -Infinity, event.lease ?? -Infinity) }, Math.max(context.now, event.now)),
    // health
    graceExpired: ({ context }) => expired(context) && context.node.ready !== 'Unknown',
    reportsReady: ({ context }) => context.node.ready === 'True',
    reportsNotReady: ({ context }) => context.node.ready === 'False',
    reportsUnknown: ({ context }) => context.node.ready === 'Unknown',
    reportsNothing: ({ context }) => context.node.ready === undefined,
    /** Held Unknown but not written so (the write failed): write again. */
    unknownNotWritten: ({ context }) => expired(context) && context.node.ready !== 'Unknown' && !context.writing,
    backReady: ({ context }) => context.node.ready === 'True' && !expired(context),
    backNotReady: ({ context }) => context.node.ready === 'False' && !expired(context),
    backStartup: ({ context }) => context.node.ready === undefined && !expired(context),
    // taint
    hasNotReadyTaint: ({ context }) => context.node.taints.includes('notReady'),
    hasUnreachableTaint: ({ context }) => context.node.taints.includes('unreachable'),
    keepsNotReadyTaint: ({ context }) => holdsOnlyWanted(context, 'notReady'),
    keepsUnreachableTaint: ({ context }) => holdsOnlyWanted(context, 'unreachable'),
    /** Ready flipped between False and Unknown while the opposite taint is on: swap it at once. */
    mustSwap: ({ context }) => {
      const want = wantedTaint(context)
      return want !== undefined && context.node.taints.includes(opposite(want))
    },
    mustRemove: ({ context }) => wantedTaint(context) === undefined && context.node.taints.length > 0,
    mustTaint: ({ context }) => wantedTaint(context) !== undefined && context.node.taints.length === 0,
    clean: ({ context }) => wantedTaint(context) === undefined && context.node.taints.length === 0,
    /** The request waiting in the zone queue no longer says what the status calls for. */
    requestOutdated: ({ context }) => {
      const plan = taintPlan(context)
      return !!plan && (plan.add !== context.requested?.add || plan.remove !== context.requested?.remove)
    },
  },
}).createMachine({
  id: 'node',
  context: ({ input }) => initialNodeContext(input),
  type: 'parallel',
  // Decide once from the node as found (rebuilt from the projection: e.g. Unknown but not tainted yet).
  entry: ['raiseCheck', 'raiseReport'],
  on: {
    NODE_STATUS: { actions: ['recordCarriedLease', 'recordNode'] },
    // A renewal can only change a verdict while the node is held Unknown but not written so.
    LEASE: [{ guard: 'leaseMayEndUnknown', actions: ['recordLease', 'raiseCheck', 'raiseReport'] }, { actions: 'recordLease' }],
    // A tick that changes nothing costs nothing: its lease only matters when the tick does.
    MONITOR_TICK: { guard: 'tickMatters', actions: 'recordTick' },
    DISRUPTION_MODE: { actions: ['recordCarriedLease', 'recordDisruptionMode'] },
    COMMAND_FAILED: { actions: ['recordCarriedLease', 'recordFailure'] },
    REPORT: { actions: 'report' },
  },
  states: {
    health: {
      initial: 'boot',
      states: {
        /** Follows what the node object says; no write at start. */
        boot: {
          always: [
            { guard: 'reportsReady', target: 'ready' },
            { guard: 'reportsNotReady', target: 'notReady' },
            { guard: 'reportsUnknown', target: 'unknown' },
            { target: 'startup' },
          ],
        },
        /** The kubelet never posted a Ready condition: `--node-startup-grace-period` applies. */
        startup: {
          entry: { type: 'enterHealth', params: 'startup' },
          on: {
            CHECK: [
              { guard: 'graceExpired', target: 'unknown', actions: 'writeUnknown' },
              { guard: 'reportsReady', target: 'ready' },
              { guard: 'reportsNotReady', target: 'notReady' },
              { guard: 'reportsUnknown', target: 'unknown' },
            ],
          },
        },
        ready: {
          entry: { type: 'enterHealth', params: 'ready' },
          on: {
            CHECK: [
              { guard: 'graceExpired', target: 'unknown', actions: ['writeUnknown', 'markPodsNotReady'] },
              { guard: 'reportsNotReady', target: 'notReady' },
              { guard: 'reportsUnknown', target: 'unknown' },
              { guard: 'reportsNothing', target: 'startup' },
            ],
          },
        },
        /** The kubelet reports Ready=False (it marks its own pods). */
        notReady: {
          entry: { type: 'enterHealth', params: 'notReady' },
          on: {
            CHECK: [
              { guard: 'graceExpired', target: 'unknown', actions: 'writeUnknown' },
              { guard: 'reportsReady', target: 'ready' },
              { guard: 'reportsUnknown', target: 'unknown' },
              { guard: 'reportsNothing', target: 'startup' },
            ],
          },
        },
        /** Past grace, or written Unknown: left only when the kubelet posts a status again. */
        unknown: {
          entry: { type: 'enterHealth', params: 'unknown' },
          on: {
            CHECK: [
              { guard: 'unknownNotWritten', actions: 'writeUnknown' },
              { guard: 'backReady', target: 'ready' },
              { guard: 'backNotReady', target: 'notReady' },
              { guard: 'backStartup', target: 'startup' },
            ],
          },
        },
      },
    },
    taint: {
      initial: 'boot',
      states: {
        boot: {
          always: [
            { guard: 'hasUnreachableTaint', target: 'tainted.unreachable' },
            { guard: 'hasNotReadyTaint', target: 'tainted.notReady' },
            { target: 'untainted' },
          ],
        },
        /** No taint of ours on the node. */
        untainted: {
          on: {
            CHECK: [
              { guard: 'mustTaint', target: 'awaitingTaint', actions: 'requestTaint' },
              { guard: 'mustSwap', target: 'awaitingTaint', actions: 'requestTaint' },
              { guard: 'mustRemove', target: 'removing', actions: 'removeTaints' },
              { guard: 'keepsNotReadyTaint', target: 'tainted.notReady' },
              { guard: 'keepsUnreachableTaint', target: 'tainted.unreachable' },
            ],
          },
        },
        /** Requested: waiting in the zone's rate-limited queue, then in flight. */
        awaitingTaint: {
          on: {
            CHECK: [
              { guard: 'keepsNotReadyTaint', target: 'tainted.notReady', actions: 'clearRequest' },
              { guard: 'keepsUnreachableTaint', target: 'tainted.unreachable', actions: 'clearRequest' },
              { guard: 'clean', target: 'untainted', actions: 'cancelTaint' },
              { guard: 'mustRemove', target: 'removing', actions: ['cancelTaint', 'removeTaints'] },
              { guard: 'requestOutdated', actions: 'requestTaint' },
            ],
            TAINT_FAILED: { target: 'retrying', actions: 'clearRequest' },
          },
        },
        /** The node carries the taint its Ready status calls for. */
        tainted: {
          initial: 'unreachable',
          states: {
            notReady: {},
            unreachable: {},
          },
          on: {
            CHECK: [
              { guard: 'keepsNotReadyTaint', target: '.notReady' },
              { guard: 'keepsUnreachableTaint', target: '.unreachable' },
              { guard: 'mustSwap', target: 'awaitingTaint', actions: 'requestTaint' },
              { guard: 'mustRemove', target: 'removing', actions: 'removeTaints' },
              { guard: 'mustTaint', target: 'awaitingTaint', actions: 'requestTaint' },
              { guard: 'clean', target: 'untainted' },
            ],
          },
        },
        /** RemoveTaints sent (Ready again, or every zone is down). */
        removing: {
          on: {
            CHECK: [
              { guard: 'clean', target: 'untainted' },
              { guard: 'keepsNotReadyTaint', target: 'tainted.notReady' },
              { guard: 'keepsUnreachableTaint', target: 'tainted.unreachable' },
              { guard: 'mustTaint', target: 'awaitingTaint', actions: 'requestTaint' },
              { guard: 'mustSwap', target: 'awaitingTaint', actions: 'requestTaint' },
            ],
            TAINT_FAILED: { target: 'retrying' },
          },
        },
        /** A taint request failed: the next CHECK (tick or status) decides again. */
        retrying: {
          on: {
            CHECK: [
              { guard: 'mustTaint', target: 'awaitingTaint', actions: 'requestTaint' },
              { guard: 'mustSwap', target: 'awaitingTaint', actions: 'requestTaint' },
              { guard: 'mustRemove', target: 'removing', actions: 'removeTaints' },
              { guard: 'keepsNotReadyTaint', target: 'tainted.notReady' },
              { guard: 'keepsUnreachableTaint', target: 'tainted.unreachable' },
              { guard: 'clean', target: 'untainted' },
            ],
          },
        },
      },
    },
  },
})

export type NodeMonitorMachine = typeof nodeMonitorMachine
