import type { Node, Taint } from 'kubernetes-types/core/v1.js'
import { assertEvent, assign, enqueueActions, not, sendTo, setup } from 'xstate'
import {
  nodeMonitorMachine,
  rfc3339,
  tickDeadline,
  type FailableCommand,
  type Membership,
  type NodeMonitorCommand,
  type NodeMonitorEvent,
  type NodeMonitorReport,
  type TaintRef,
  type TickWatch,
} from './node.js'
import { drop, emptyTable, lookup, put, tableEntries, tableKeys, TableEditor, type Table } from '../../lib/sharded-table.js'
import { fileAll, fileOne, slotOf, takeBefore, type Wakeups } from './wakeups.js'
import { computeZoneState, newTokenBucket, nextTokenAt, swapLimiter, tryAccept, zoneQPS, type TokenBucket, type ZoneState } from './zones.js'

/**
 * The Node Lifecycle Controller (Kubernetes 1.32 `pkg/controller/nodelifecycle`) as a pure XState
 * machine. It spawns one node machine per Node (`node.ts`, id `node-controller/<node>`), drives all
 * of them from ONE monitor timer (`--node-monitor-period`), and owns what spans nodes:
 *
 *   monitor:    waiting ──after(nodeMonitorPeriod) / MONITOR_TICK to every node it matters to, then ZONES_EVALUATE──▶ waiting
 *   disruption: normal ──ZONES_EVALUATE[every zone FullDisruption] / untaint all, stop tainting──▶ allZonesDown
 *               allZonesDown ──ZONES_EVALUATE[a zone has a Ready node] / fresh grace, rates per zone──▶ normal
 *
 * Zone states follow `handleDisruption` once per monitor pass, after every node has handled the
 * tick (the self-sent ZONES_EVALUATE is queued behind the nodes' reports). Taint requests wait in a
 * per-zone FIFO drained through the zone's token bucket (`zones.ts`); the next drain is a single
 * delayed DRAIN at the next token's time, kept as data (`drainAt`). Nodes and queued requests live
 * in persistent tables (`actors/lib/sharded-table.ts`), so one event costs what it touches, not the
 * cluster size. A tick goes only to a node whose verdict time can change (its grace ran out, or a
 * retry waits): each node machine reports when that is (NODE_WATCH), the parent files it under that
 * time (`wakeups.ts`) and adds the leases it records; 5,000 healthy nodes get no ticks at all.
 *
 * Output: the commands of `NodeLifecycleCommand`, emitted for the host.
 */

export interface NodeLifecycleFlags {
  /** `--node-monitor-period`: how often node health is checked. */
  nodeMonitorPeriodMs: number
  /** `--node-monitor-grace-period`: 40 s until Kubernetes 1.31 (and in the seed documents), 50 s from 1.32. */
  nodeMonitorGracePeriodMs: number
  /** `--node-startup-grace-period`: grace before a node's first Ready condition. */
  nodeStartupGracePeriodMs: number
  /** `--node-eviction-rate`: taints per second per zone when it is healthy. */
  nodeEvictionRate: number
  /** `--secondary-node-eviction-rate`: taints per second in a PartialDisruption zone larger than the threshold. */
  secondaryNodeEvictionRate: number
  /** `--unhealthy-zone-threshold`: share of not-Ready nodes (and more than 2) that makes a zone PartialDisruption. */
  unhealthyZoneThreshold: number
  /** `--large-cluster-size-threshold`: zones of at most this many nodes stop tainting when partially disrupted. */
  largeClusterSizeThreshold: number
}

export const DEFAULT_NODE_LIFECYCLE_FLAGS: Readonly<NodeLifecycleFlags> = Object.freeze({
  nodeMonitorPeriodMs: 5_000,
  nodeMonitorGracePeriodMs: 40_000,
  nodeStartupGracePeriodMs: 60_000,
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  unhealthyZoneThreshold: 0.55,
  largeClusterSizeThreshold: 50,
})

/** Kubernetes 1.32's default `--node-monitor-grace-period`. */
export const NODE_MONITOR_GRACE_PERIOD_1_32_MS = 50_000

export function nodeLifecycleFlags(flags: Partial<NodeLifecycleFlags> = {}): NodeLifecycleFlags {
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as Partial<NodeLifecycleFlags>
  return { ...DEFAULT_NODE_LIFECYCLE_FLAGS, ...defined }
}

export interface NodeLifecycleInput {
  flags?: Partial<NodeLifecycleFlags>
  /** The host's clock at start, epoch ms: the monitor timer counts from it. */
  now: number
}

/** The actor id of a node's machine. */
export const NODE_CONTROLLER_ID = 'node-controller'
export const nodeActorId = (node: string) => `${NODE_CONTROLLER_ID}/${node}`

export type NodeLifecycleEvent =
  /** Informer ADDED/MODIFIED of a Node. `eventType` is the log event behind it; `lease` the last renewTime the host knows. */
  | { type: 'NODE_UPSERTED'; node: Node; rev: number; eventType?: string; lease?: number; now: number }
  | { type: 'NODE_REMOVED'; name: string; now: number }
  /** A Lease in the lease bucket was renewed; `renewTime` epoch ms. */
  | { type: 'LEASE_RENEWED'; name: string; renewTime: number; now: number }
  /**
   * Many renewals at once (the host batches them): one step instead of one per node, the busiest
   * input by far (5,000 nodes renew every 10 s).
   */
  | { type: 'LEASES_RENEWED'; renewals: { name: string; renewTime: number }[]; now: number }
  /** The host gave up on a command after its retries; the node decides again at the next tick. */
  | { type: 'COMMAND_FAILED'; node: string; command: FailableCommand; cause: number; now: number }
  /** From the node machines. */
  | NodeMonitorReport
  /** Internal, once per monitor pass after the nodes: recompute zone states (`handleDisruption`). */
  | { type: 'ZONES_EVALUATE' }
  /** Internal, delayed: a zone limiter has a token again. */
  | { type: 'DRAIN' }
  /** Internal, delayed by 0: spawn the machines of the nodes seen since the last batch. */
  | { type: 'SPAWN_NODES' }

/** Apply `add` (with `timeAdded`) and remove `remove`, in one `taint` request. */
export interface ApplyTaint {
  type: 'ApplyTaint'
  node: string
  add: Taint
  remove?: TaintRef
  cause: number
}

/** What the host executes. Successes come back through the informer; failures as COMMAND_FAILED. */
export type NodeLifecycleCommand =
  | Extract<NodeMonitorCommand, { type: 'SetNodeConditions' | 'MarkPodsNotReady' | 'RemoveTaints' }>
  | ApplyTaint

// Tables: persistent maps (`actors/lib/sharded-table.ts`): an update copies the path to one node.
export { lookup, tableEntries, tableKeys, type Table } from '../../lib/sharded-table.js'

// ---------------------------------------------------------------------------------------------
// Context.

export interface QueueEntry {
  node: string
  seq: number
}

/** A RequestTaint waiting in its zone's queue; `seq` matches its queue entry (a cancelled one is skipped). */
export interface QueuedTaint {
  zone: string
  seq: number
  add: TaintRef
  remove?: TaintRef
  cause: number
}

/** What the controller keeps of a node that has a machine. */
export interface NodeEntry {
  /** Where it counts in its zone (undefined until its machine reported). */
  membership?: Membership
  /** When its ticks matter (undefined until its machine reported: ticked every pass until then). */
  watch?: TickWatch
  /** The `wakeups` slot it is filed under; undefined when no deadline is coming (see `wakeups.ts`). */
  wakeAt?: number
}

export interface UnspawnedNode {
  node: Node
  rev: number
  lease?: number
}

export interface ZoneInfo {
  state: ZoneState
  /** Nodes in the zone, excluded ones too (they are tainted like any other). */
  size: number
  /** Counted nodes (not excluded from disruption checks) whose Ready is True, and the others. */
  ready: number
  notReady: number
  limiter: TokenBucket
  /** Nodes waiting to be tainted, oldest first (`RateLimitedTimedQueue`). */
  queue: readonly QueueEntry[]
}

export interface NodeLifecycleContext {
  flags: NodeLifecycleFlags
  now: number
  /** When the monitor timer was last armed. */
  tickArmedAt: number
  /** Monitor passes so far. */
  passes: number
  /** Nodes with a machine: where each counts, and when its ticks matter. */
  nodes: Table<NodeEntry>
  /**
   * Latest Lease renewTime per node. A Ready node's machine gets it with its monitor tick rather
   * than as an event per renewal; a node not Ready gets every renewal at once, since one can end
   * its Unknown verdict.
   */
  leases: Table<number>
  /**
   * Nodes seen but not spawned yet: XState copies a parent's children on every spawn, so spawning
   * one at a time is O(n) each; new nodes are spawned together at the next turn of the clock (the
   * informer's initial list of 5,000 nodes is one batch).
   */
  unspawned: Table<UnspawnedNode>
  /** A SPAWN_NODES is armed. */
  spawnArmed: boolean
  zones: Readonly<Record<string, ZoneInfo>>
  requests: Table<QueuedTaint>
  seq: number
  /** When the pending DRAIN fires, if one is armed. */
  drainAt?: number
  /** Every zone is fully disrupted: Kubernetes' master disruption mode (no taints at all). */
  allZonesDown: boolean
  /** When the monitor passes next look at each node (`wakeups.ts`). */
  wakeups: Wakeups
}

export function initialControllerContext(input: NodeLifecycleInput): NodeLifecycleContext {
  return {
    flags: nodeLifecycleFlags(input.flags),
    now: input.now,
    tickArmedAt: input.now,
    passes: 0,
    nodes: emptyTable(),
    leases: emptyTable(),
    unspawned: emptyTable(),
    spawnArmed: false,
    zones: {},
    requests: emptyTable(),
    seq: 0,
    allZonesDown: false,
    wakeups: [],
  }
}

const emptyZone = (flags: NodeLifecycleFlags, now: number): ZoneInfo => ({
  state: 'Initial',
  size: 0,
  ready: 0,
  notReady: 0,
  limiter: newTokenBucket(flags.nodeEvictionRate, now),
  queue: [],
})

/** Adds (sign 1) or removes (sign -1) one node's membership to the zone counts. */
function count(zones: Record<string, ZoneInfo>, m: Membership, sign: 1 | -1, flags: NodeLifecycleFlags, now: number): void {
  const z = { ...(zones[m.zone] ?? emptyZone(flags, now)) }
  z.size += sign
  if (m.counted) {
    if (m.ready) z.ready += sign
    else z.notReady += sign
  }
  zones[m.zone] = z
}

/** The zone states this pass would compute, for zones with counted nodes (`zoneToNodeConditions`). */
export function evaluateZones(ctx: Pick<NodeLifecycleContext, 'zones' | 'flags'>): Record<string, ZoneState> {
  const out: Record<string, ZoneState> = {}
  for (const [zone, z] of Object.entries(ctx.zones)) {
    if (z.ready + z.notReady > 0) out[zone] = computeZoneState(z.ready, z.notReady, ctx.flags.unhealthyZoneThreshold).state
  }
  return out
}

export function allZonesFullyDisrupted(ctx: Pick<NodeLifecycleContext, 'zones' | 'flags'>): boolean {
  const states = Object.values(evaluateZones(ctx))
  return states.length > 0 && states.every((s) => s === 'FullDisruption')
}

/**
 * When a tick starts to matter to the node (`tickDue` as a time): `-Infinity` at the next pass
 * (nothing reported yet, or a retry waits), `Infinity` never (until it reports otherwise).
 */
const deadlineOf = (entry: NodeEntry, lease: number | undefined): number => (entry.watch ? tickDeadline(entry.watch, lease) : -Infinity)

/**
 * The nodes a monitor pass at `now` ticks (`tickDue`), from the slots that have begun; every node
 * taken is filed again under its deadline (a ticked one too: it is looked at again at the next
 * pass, and its report after the tick files it anew).
 */
function takeDue(ctx: NodeLifecycleContext, now: number): { due: string[]; change: Pick<NodeLifecycleContext, 'nodes' | 'wakeups'> } {
  const { taken, rest } = takeBefore(ctx.wakeups, now)
  const tables = new TableEditor()
  let nodes = ctx.nodes
  const refiled = new Map<number, string[]>()
  const seen = new Set<string>()
  const due: string[] = []
  for (const slot of taken) {
    for (const name of slot.nodes) {
      const entry = lookup(nodes, name)
      // Gone, or filed again elsewhere since: a stale entry.
      if (!entry || entry.wakeAt !== slot.at || seen.has(name)) continue
      seen.add(name)
      const deadline = deadlineOf(entry, lookup(ctx.leases, name))
      if (now > deadline) due.push(name)
      const at = slotOf(deadline, ctx.flags.nodeMonitorPeriodMs)
      if (at !== entry.wakeAt) nodes = tables.set(nodes, name, { ...entry, wakeAt: at === Infinity ? undefined : at })
      if (at === Infinity) continue
      let list = refiled.get(at)
      if (!list) refiled.set(at, (list = []))
      list.push(name)
    }
  }
  return { due, change: { nodes, wakeups: fileAll(rest, refiled) } }
}

const isLive = (ctx: Pick<NodeLifecycleContext, 'requests'>, e: QueueEntry) => lookup(ctx.requests, e.node)?.seq === e.seq

// ---------------------------------------------------------------------------------------------
// Actions over a draft of the context.

interface Enqueue {
  assign(ctx: Partial<NodeLifecycleContext>): void
  emit(command: NodeLifecycleCommand): void
  cancel(id: string): void
  raise(event: NodeLifecycleEvent, options: { id: string; delay: number }): void
}

/**
 * `doNoExecuteTaintingPass`: in every zone, while its limiter has a token, the oldest live request
 * becomes an ApplyTaint (cancelled entries are skipped without spending a token). Then the next
 * DRAIN is armed at the earliest time a zone with waiting requests gets a token.
 */
function drain(ctx: NodeLifecycleContext, enqueue: Enqueue): void {
  const now = ctx.now
  let zones = ctx.zones
  let requests = ctx.requests
  let next: number | undefined
  for (const [name, zone] of Object.entries(ctx.zones)) {
    let { limiter } = zone
    let i = 0
    const q = zone.queue
    for (; i < q.length; i++) {
      const entry = q[i]
      const request = lookup(requests, entry.node)
      if (!request || request.seq !== entry.seq) continue
      const attempt = tryAccept(limiter, now)
      limiter = attempt.bucket
      if (!attempt.ok) break
      requests = drop(requests, entry.node)
      enqueue.emit({
        type: 'ApplyTaint',
        node: entry.node,
        add: { ...request.add, timeAdded: rfc3339(now) },
        ...(request.remove ? { remove: request.remove } : {}),
        cause: request.cause,
      })
    }
    if (i > 0 || limiter !== zone.limiter) zones = { ...zones, [name]: { ...zone, limiter, queue: q.slice(i) } }
    if (i < q.length) {
      const at = nextTokenAt(limiter, now)
      if (at !== undefined && (next === undefined || at < next)) next = at
    }
  }
  enqueue.assign({ zones, requests, drainAt: next })
  if (next !== ctx.drainAt) {
    enqueue.cancel('drain')
    if (next !== undefined) enqueue.raise({ type: 'DRAIN' }, { id: 'drain', delay: Math.max(0, next - now) })
  }
}

/** The context after `change`, then a drain pass over it. */
function commitAndDrain(ctx: NodeLifecycleContext, change: Partial<NodeLifecycleContext>, enqueue: Enqueue): void {
  const next = { ...ctx, ...change }
  enqueue.assign(change)
  drain(next, enqueue)
}

function queueTaint(ctx: NodeLifecycleContext, cmd: Extract<NodeMonitorCommand, { type: 'RequestTaint' }>, enqueue: Enqueue): void {
  const node = lookup(ctx.nodes, cmd.node)
  if (!node) return
  if (cmd.immediate) {
    // The not-ready ↔ unreachable swap is not rate limited (`processTaintBaseEviction`).
    const requests = drop(ctx.requests, cmd.node)
    enqueue.assign({ requests })
    enqueue.emit({
      type: 'ApplyTaint',
      node: cmd.node,
      add: { ...cmd.add, timeAdded: rfc3339(ctx.now) },
      ...(cmd.remove ? { remove: cmd.remove } : {}),
      cause: cmd.cause,
    })
    return
  }
  const zone = node.membership?.zone ?? ''
  const existing = lookup(ctx.requests, cmd.node)
  const base = { zone, add: cmd.add, ...(cmd.remove ? { remove: cmd.remove } : {}), cause: cmd.cause }
  if (existing && existing.zone === zone) {
    // Still queued: the newer request takes its place in line.
    commitAndDrain(ctx, { requests: put(ctx.requests, cmd.node, { ...base, seq: existing.seq }) }, enqueue)
    return
  }
  const seq = ctx.seq + 1
  const z = ctx.zones[zone] ?? emptyZone(ctx.flags, ctx.now)
  commitAndDrain(
    ctx,
    {
      seq,
      requests: put(ctx.requests, cmd.node, { ...base, seq }),
      zones: { ...ctx.zones, [zone]: { ...z, queue: [...z.queue, { node: cmd.node, seq }] } },
    },
    enqueue,
  )
}

/** Zone limiters after a pass in normal mode (`setLimiterInZone` for each zone whose state changed). */
function zonesAfterPass(ctx: NodeLifecycleContext, states: Record<string, ZoneState>): Record<string, ZoneInfo> {
  const zones: Record<string, ZoneInfo> = {}
  for (const [name, z] of Object.entries(ctx.zones)) {
    // A zone without nodes and without waiting requests is forgotten (`handleDisruption`).
    if (z.size === 0 && !z.queue.some((e) => isLive(ctx, e))) continue
    const state = states[name]
    if (state === undefined || state === z.state) {
      zones[name] = z
      continue
    }
    zones[name] = { ...z, state, limiter: swapLimiter(z.limiter, zoneQPS(state, z.ready + z.notReady, ctx.flags), ctx.now) }
  }
  return zones
}

// ---------------------------------------------------------------------------------------------
// The machine.

/** Every event type maps to its handler: adding an event fails to compile until it is placed. */
export const NODE_LIFECYCLE_EVENT_HANDLERS: Record<NodeLifecycleEvent['type'], string> = {
  NODE_UPSERTED: 'root: spawn the node machine, or pass NODE_STATUS to it',
  NODE_REMOVED: 'root: stop the node machine, forget its membership and request',
  LEASE_RENEWED: 'root: record; LEASE to the node machine unless it is Ready (it gets the lease with its tick)',
  LEASES_RENEWED: 'root: the same for a batch',
  COMMAND_FAILED: 'root: to the node machine',
  NODE_COMMAND: 'root: emit, or queue in the zone limiter (RequestTaint)',
  NODE_MEMBERSHIP: 'root: zone counts',
  NODE_WATCH: 'root: record when the node must be ticked',
  ZONES_EVALUATE: 'disruption.normal | disruption.allZonesDown',
  DRAIN: 'root: drain the zone queues',
  SPAWN_NODES: 'root: spawn the node machines of the batch',
}

/** Exhaustiveness: a new command type fails to compile where it is not handled. */
function unreachable(x: never): never {
  throw new Error(`unhandled ${JSON.stringify(x)}`)
}

export const nodeLifecycleMachine = setup({
  types: {
    context: {} as NodeLifecycleContext,
    events: {} as NodeLifecycleEvent,
    emitted: {} as NodeLifecycleCommand,
    input: {} as NodeLifecycleInput,
  },
  actors: { nodeMonitor: nodeMonitorMachine },
  actions: {
    armTick: enqueueActions(({ context, enqueue }) => enqueue.assign({ tickArmedAt: context.now })),
    /**
     * `monitorNodeHealth`: every node checks itself at the same instant; zones are evaluated after
     * them. Only nodes whose tick matters (`tickDue` on their reported watch and latest lease) get
     * one: a healthy node's verdict cannot change before its grace runs out (`takeDue`).
     */
    monitorPass: enqueueActions(({ context, enqueue, self }) => {
      const now = Math.max(context.now, context.tickArmedAt + context.flags.nodeMonitorPeriodMs)
      const { due, change } = takeDue(context, now)
      enqueue.assign({ now, passes: context.passes + 1, ...change })
      for (const name of due) {
        enqueue.sendTo(nodeActorId(name), { type: 'MONITOR_TICK', now, lease: lookup(context.leases, name) } satisfies NodeMonitorEvent)
      }
      // Queued behind the reports the nodes send while handling their tick.
      enqueue.sendTo(self, { type: 'ZONES_EVALUATE' })
    }),
    upsertNode: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'NODE_UPSERTED') return
      const name = event.node.metadata?.name ?? ''
      const now = Math.max(context.now, event.now)
      if (lookup(context.nodes, name)) {
        enqueue.assign({ now })
        const lease = lookup(context.leases, name)
        const status: NodeMonitorEvent = { type: 'NODE_STATUS', node: event.node, rev: event.rev, ...(event.eventType ? { eventType: event.eventType } : {}), now, ...(lease !== undefined ? { lease } : {}) }
        enqueue.sendTo(nodeActorId(name), status)
        return
      }
      const waiting = lookup(context.unspawned, name)
      const lease = event.lease ?? waiting?.lease
      enqueue.assign({ now, spawnArmed: true, unspawned: put(context.unspawned, name, { node: event.node, rev: event.rev, ...(lease !== undefined ? { lease } : {}) }) })
      if (!context.spawnArmed) enqueue.raise({ type: 'SPAWN_NODES' }, { id: 'spawn', delay: 0 })
    }),
    /** One spawn per node, all in one assign: XState copies the children once for the batch. */
    spawnNodes: assign(({ context, spawn }) => {
      const tables = new TableEditor()
      let nodes = context.nodes
      const names: string[] = []
      const grace = { nodeMonitorGracePeriodMs: context.flags.nodeMonitorGracePeriodMs, nodeStartupGracePeriodMs: context.flags.nodeStartupGracePeriodMs }
      for (const [name, u] of tableEntries(context.unspawned)) {
        spawn('nodeMonitor', {
          id: nodeActorId(name),
          systemId: nodeActorId(name),
          input: { name, grace, now: context.now, node: u.node, rev: u.rev, ...(u.lease !== undefined ? { lease: u.lease } : {}), suppressed: context.allZonesDown },
        })
        // Ticked at the next pass until it reports when its ticks matter.
        nodes = tables.set(nodes, name, { wakeAt: -Infinity })
        names.push(name)
      }
      return { nodes, unspawned: emptyTable(), spawnArmed: false, wakeups: fileAll(context.wakeups, new Map([[-Infinity, names]])) }
    }),
    removeNode: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'NODE_REMOVED') return
      const now = Math.max(context.now, event.now)
      const entry = lookup(context.nodes, event.name)
      if (!entry) return enqueue.assign({ now, unspawned: drop(context.unspawned, event.name) })
      const zones = { ...context.zones }
      if (entry.membership) count(zones, entry.membership, -1, context.flags, now)
      enqueue.stopChild(nodeActorId(event.name))
      enqueue.assign({ now, zones, nodes: drop(context.nodes, event.name), requests: drop(context.requests, event.name) })
    }),
    /** Leases are the busiest input (one per node every 10 s): a plain relay, no context change. */
    recordLeases: enqueueActions(({ context, event, enqueue }) => {
      const renewals = event.type === 'LEASES_RENEWED' ? event.renewals : event.type === 'LEASE_RENEWED' ? [event] : []
      // One editor for the batch: each part of the table is copied once, not once per renewal.
      const tables = new TableEditor()
      let leases = context.leases
      let unspawned = context.unspawned
      for (const r of renewals) {
        const before = leases
        leases = tables.update(leases, r.name, (known) => (known !== undefined && known >= r.renewTime ? known : r.renewTime))
        if (leases === before) continue
        const entry = lookup(context.nodes, r.name)
        if (!entry) {
          const waiting = lookup(unspawned, r.name)
          if (waiting) unspawned = tables.set(unspawned, r.name, { ...waiting, lease: Math.max(waiting.lease ?? -Infinity, r.renewTime) })
          continue
        }
        // A Ready node hears of its lease with the next tick; any other right away.
        if (!entry.membership?.ready) enqueue.sendTo(nodeActorId(r.name), { type: 'LEASE', renewTime: r.renewTime, now: event.type === 'LEASES_RENEWED' || event.type === 'LEASE_RENEWED' ? event.now : context.now } satisfies NodeMonitorEvent)
      }
      enqueue.assign({ leases, unspawned })
    }),
    leaseOfUnspawned: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'LEASE_RENEWED') return
      const waiting = lookup(context.unspawned, event.name)
      if (waiting) enqueue.assign({ unspawned: put(context.unspawned, event.name, { ...waiting, lease: Math.max(waiting.lease ?? -Infinity, event.renewTime) }) })
    }),
    forwardFailure: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'COMMAND_FAILED' || !lookup(context.nodes, event.node)) return
      enqueue.assign({ now: Math.max(context.now, event.now) })
      enqueue.sendTo(nodeActorId(event.node), { type: 'COMMAND_FAILED', command: event.command, cause: event.cause, lease: lookup(context.leases, event.node) } satisfies NodeMonitorEvent)
    }),
    handleNodeCommand: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'NODE_COMMAND') return
      const cmd = event.command
      switch (cmd.type) {
        case 'SetNodeConditions':
        case 'MarkPodsNotReady':
        case 'RemoveTaints':
          return enqueue.emit(cmd)
        case 'RequestTaint':
          return queueTaint(context, cmd, enqueue)
        case 'CancelTaint':
          return enqueue.assign({ requests: drop(context.requests, cmd.node) })
        default:
          return unreachable(cmd)
      }
    }),
    updateMembership: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'NODE_MEMBERSHIP') return
      const entry = lookup(context.nodes, event.node)
      if (!entry) return
      const zones = { ...context.zones }
      if (entry.membership) count(zones, entry.membership, -1, context.flags, context.now)
      count(zones, event.membership, 1, context.flags, context.now)
      const change: Partial<NodeLifecycleContext> = { zones, nodes: put(context.nodes, event.node, { ...entry, membership: event.membership }) }
      const request = lookup(context.requests, event.node)
      const zone = event.membership.zone
      if (request && request.zone !== zone) {
        // Moved to another zone while waiting: it waits at the end of the new zone's line.
        const seq = context.seq + 1
        const z = zones[zone]
        zones[zone] = { ...z, queue: [...z.queue, { node: event.node, seq }] }
        change.seq = seq
        change.requests = put(context.requests, event.node, { ...request, zone, seq })
      }
      enqueue.assign(change)
    }),
    /** A later deadline is found lazily in the node's old slot; an earlier one files it at once. */
    updateWatch: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'NODE_WATCH') return
      const entry = lookup(context.nodes, event.node)
      if (!entry) return
      const next: NodeEntry = { ...entry, watch: event.watch }
      const at = slotOf(deadlineOf(next, lookup(context.leases, event.node)), context.flags.nodeMonitorPeriodMs)
      if (at >= (entry.wakeAt ?? Infinity)) return enqueue.assign({ nodes: put(context.nodes, event.node, next) })
      enqueue.assign({ nodes: put(context.nodes, event.node, { ...next, wakeAt: at }), wakeups: fileOne(context.wakeups, at, event.node) })
    }),
    drainQueues: enqueueActions(({ context, enqueue }) => {
      const now = context.drainAt !== undefined ? Math.max(context.now, context.drainAt) : context.now
      commitAndDrain(context, { now, drainAt: undefined }, enqueue)
    }),
    /** `handleDisruption`, some zone not fully disrupted: new states get their rates. */
    updateZoneStates: enqueueActions(({ context, enqueue }) => {
      commitAndDrain(context, { zones: zonesAfterPass(context, evaluateZones(context)) }, enqueue)
    }),
    /** "Controller detected that all Nodes are not-Ready. Entering master disruption mode." */
    enterMasterDisruption: enqueueActions(({ context, enqueue }) => {
      const zones: Record<string, ZoneInfo> = {}
      for (const [name, z] of Object.entries(context.zones)) zones[name] = { ...z, state: 'FullDisruption', limiter: swapLimiter(z.limiter, 0, context.now) }
      commitAndDrain(context, { zones, allZonesDown: true }, enqueue)
      for (const name of tableKeys(context.nodes)) enqueue.sendTo(nodeActorId(name), { type: 'DISRUPTION_MODE', on: true, now: context.now, lease: lookup(context.leases, name) } satisfies NodeMonitorEvent)
    }),
    /** "Controller detected that some Nodes are Ready. Exiting master disruption mode." */
    exitMasterDisruption: enqueueActions(({ context, enqueue }) => {
      const states = evaluateZones(context)
      const zones: Record<string, ZoneInfo> = {}
      for (const [name, z] of Object.entries(context.zones)) {
        const state = states[name] ?? z.state
        zones[name] = { ...z, state, limiter: swapLimiter(z.limiter, zoneQPS(state, z.ready + z.notReady, context.flags), context.now) }
      }
      commitAndDrain(context, { zones, allZonesDown: false }, enqueue)
      for (const name of tableKeys(context.nodes)) enqueue.sendTo(nodeActorId(name), { type: 'DISRUPTION_MODE', on: false, now: context.now, lease: lookup(context.leases, name) } satisfies NodeMonitorEvent)
    }),
  },
  guards: {
    hasMachine: ({ context, event }) => event.type === 'LEASE_RENEWED' && lookup(context.nodes, event.name) !== undefined,
    allZonesFullyDisrupted: ({ context }) => allZonesFullyDisrupted(context),
  },
  delays: {
    nodeMonitorPeriod: ({ context }) => context.flags.nodeMonitorPeriodMs,
  },
}).createMachine({
  id: NODE_CONTROLLER_ID,
  context: ({ input }) => initialControllerContext(input),
  type: 'parallel',
  on: {
    NODE_UPSERTED: { actions: 'upsertNode' },
    NODE_REMOVED: { actions: 'removeNode' },
    LEASE_RENEWED: { actions: 'recordLeases' },
    LEASES_RENEWED: { actions: 'recordLeases' },
    COMMAND_FAILED: { actions: 'forwardFailure' },
    NODE_COMMAND: { actions: 'handleNodeCommand' },
    NODE_MEMBERSHIP: { actions: 'updateMembership' },
    NODE_WATCH: { actions: 'updateWatch' },
    DRAIN: { actions: 'drainQueues' },
    SPAWN_NODES: { actions: 'spawnNodes' },
  },
  states: {
    monitor: {
      initial: 'waiting',
      states: {
        waiting: {
          entry: 'armTick',
          after: { nodeMonitorPeriod: { target: 'waiting', reenter: true, actions: 'monitorPass' } },
        },
      },
    },
    disruption: {
      initial: 'normal',
      states: {
        normal: {
          on: {
            ZONES_EVALUATE: [{ guard: 'allZonesFullyDisrupted', target: 'allZonesDown', actions: 'enterMasterDisruption' }, { actions: 'updateZoneStates' }],
          },
        },
        /** Every zone is fully disrupted: the problem is more likely the control plane's view than the nodes; no taints. */
        allZonesDown: {
          on: {
            ZONES_EVALUATE: { guard: not('allZonesFullyDisrupted'), target: 'normal', actions: 'exitMasterDisruption' },
          },
        },
      },
    },
  },
})

export type NodeLifecycleMachine = typeof nodeLifecycleMachine
