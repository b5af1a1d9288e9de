import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import type { Subscription } from 'rxjs'
import { createActor, type Actor, type AnyActorRef, type InspectionEvent, type StateValue } from 'xstate'
import {
  nodeLifecycleFlags,
  nodeLifecycleMachine,
  NODE_CONTROLLER_ID,
  type ApplyTaint,
  type NodeLifecycleCommand,
  type NodeLifecycleContext,
  type NodeLifecycleEvent,
  type NodeLifecycleFlags,
  type NodeLifecycleMachine,
} from '../../actors/controllers/node-lifecycle/controller.js'
import { rfc3339 } from '../../actors/controllers/node-lifecycle/node.js'
import { decode, decodeToken, isApiError, LEASE_BUCKET, type ApiRequest, type ApiResponse } from '../../events/index.js'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import { logEnabled, type Logger } from '../log.js'
import type { Informer, ObjectChange } from '../projections/types.js'
import { inspectActor, type Inspection } from '../inspect/inspection.js'

/** The user the controller's requests carry (Kubernetes' own). */
export const NODE_CONTROLLER_USER = 'system:node-controller'

/** How a failed request is retried before the machine is told (it then decides again at its next tick). */
export interface RetryPolicy {
  attempts: number
  initialMs: number
  maxMs: number
}
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({ attempts: 5, initialMs: 100, maxMs: 5_000 })

export interface NodeLifecycleDeps {
  api: ApiClient
  /** This process's inspection (absent in the in-memory simulation). */
  inspection?: Inspection
  nodes: Informer<Node>
  pods: Informer<Pod>
  /** For the lease bucket (`LEASE_BUCKET`), watched over all keys; unused when `leases` is given. */
  nc?: NatsConnection
  /** Where Lease renewals come from; default: the NATS KV bucket. Simulations feed them directly. */
  leases?: LeaseSource
  clock: Clock
  /** Lines go out under `<log.id>/node-controller` (or `log` itself if its id already ends so); a node's as `…/node-controller/<node>`. */
  log: Logger
  flags?: Partial<NodeLifecycleFlags>
  retry?: Partial<RetryPolicy>
}

/** A stream of Lease renewals (node name, renewTime in epoch ms); returns how to stop it. */
export interface LeaseSource {
  start(onLease: (name: string, renewTime: number) => void): Promise<() => Promise<void>>
}

/** Leases handed over in process (simulated kubelets): `renew` reaches the controller once it has started. */
export function pushedLeases(): { source: LeaseSource; renew(name: string, renewTime: number): void } {
  let onLease: ((name: string, renewTime: number) => void) | undefined
  return {
    source: {
      async start(fn) {
        onLease = fn
        return async () => {
          onLease = undefined
        }
      },
    },
    renew: (name, renewTime) => onLease?.(name, renewTime),
  }
}

/** Leases from the JetStream KV bucket the kubelets renew (one wildcard watch: NATS 2.9 allows one filter). */
export function natsLeaseSource(nc: NatsConnection, log: Logger): LeaseSource {
  return {
    async start(onLease) {
      const kvm = new Kvm(nc)
      let kv: KV = await kvm.open(LEASE_BUCKET)
      try {
        await kv.status()
      } catch {
        kv = await kvm.create(LEASE_BUCKET, { history: 1 })
      }
      const watch = await kv.watch()
      let malformed = 0
      let stopped = false
      const watching = (async () => {
        for await (const e of watch) {
          if (stopped) break
          if (e.operation !== 'PUT') continue
          const renewTime = leaseRenewTime(e.value)
          if (renewTime === undefined) {
            if (malformed++ % 100 === 0) log.warn('lease value is not a Lease, skipped', { key: e.key, malformed })
            continue
          }
          onLease(decodeToken(e.key), renewTime)
        }
      })().catch((err) => {
        if (!stopped) log.error('lease watch ended', { error: err })
      })
      return async () => {
        stopped = true
        watch.stop()
        await watching
      }
    },
  }
}

export interface NodeLifecycleHost {
  actor: Actor<NodeLifecycleMachine>
  stop(): Promise<void>
}

type Outcome = { kind: 'done' } | { kind: 'gone' } | { kind: 'retry'; reason: string } | { kind: 'failed'; reason: string }

/** What a response means for the caller: 404 the object is gone; 409, 429 and 5xx are worth retrying. */
function outcomeOf(res: ApiResponse): Outcome {
  if (res.ok) return { kind: 'done' }
  const code = res.status.code ?? 500
  const reason = res.status.message ?? String(res.status.reason ?? code)
  if (code === 404) return { kind: 'gone' }
  return code === 409 || code === 429 || code >= 500 ? { kind: 'retry', reason } : { kind: 'failed', reason }
}

/** The informer change of a Node as a machine event. */
export function nodeChangeEvent(c: ObjectChange<Node>, now: number, lease: number | undefined): NodeLifecycleEvent {
  const name = c.object.metadata?.name ?? ''
  if (c.type === 'DELETED') return { type: 'NODE_REMOVED', name, now }
  return { type: 'NODE_UPSERTED', node: c.object, rev: c.rev, ...(c.event ? { eventType: c.event.type } : {}), ...(lease !== undefined ? { lease } : {}), now }
}

/** renewTime of a Lease value from the bucket, epoch ms; undefined when the frame is not a Lease. */
export function leaseRenewTime(value: Uint8Array): number | undefined {
  try {
    const lease = decode<Lease>(value)
    const t = Date.parse(lease?.spec?.renewTime ?? '')
    return Number.isNaN(t) ? undefined : t
  } catch {
    return undefined
  }
}

/** `{ health: 'ready', taint: { tainted: 'unreachable' } }` → `{ health: 'ready', taint: 'tainted.unreachable' }`. */
function regions(value: StateValue): Record<string, string> {
  const leaf = (v: StateValue): string => (typeof v === 'string' ? v : Object.entries(v).map(([k, s]) => (s && Object.keys(s).length ? `${k}.${leaf(s as StateValue)}` : k)).join(','))
  if (typeof value === 'string') return { state: value }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, leaf(v as StateValue)]))
}

/**
 * Runs the node lifecycle machine: Node changes and Lease renewals become machine events (with
 * `now` from the clock), emitted commands become api requests as `system:node-controller` with the
 * machine's cause. A failed request is retried with exponential backoff on the clock; when the
 * retries run out the machine gets COMMAND_FAILED and decides again at its next monitor tick.
 * Every state change of the controller or a node machine is one log line under its actor id.
 */
export async function startNodeLifecycleController(deps: NodeLifecycleDeps): Promise<NodeLifecycleHost> {
  const { api, nodes, pods, clock } = deps
  const log = deps.log.id.endsWith(NODE_CONTROLLER_ID) ? deps.log : deps.log.child(NODE_CONTROLLER_ID)
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry }
  const flags = nodeLifecycleFlags(deps.flags)
  let stopped = false

  // ---- logging: one line per state change, under the actor's id
  const nodeLogs = new Map<string, Logger>()
  const logFor = (id: string) => {
    if (id === NODE_CONTROLLER_ID) return log
    let l = nodeLogs.get(id)
    if (!l) nodeLogs.set(id, (l = log.child(id.slice(NODE_CONTROLLER_ID.length + 1))))
    return l
  }
  const lastValues = new Map<string, Record<string, string>>()
  let lastZones: NodeLifecycleContext['zones'] = {}
  function inspect(ev: InspectionEvent): void {
    if (ev.type !== '@xstate.snapshot') return
    const id = (ev.actorRef as AnyActorRef).id
    const snap = ev.snapshot as { status?: string; value?: StateValue; context?: unknown }
    if (snap.status !== 'active' || snap.value === undefined) {
      lastValues.delete(id)
      nodeLogs.delete(id)
      return
    }
    const now = regions(snap.value)
    const before = lastValues.get(id)
    lastValues.set(id, now)
    const l = logFor(id)
    if (!before) l.debug('started', now)
    else {
      const changed = Object.keys(now).filter((k) => before[k] !== now[k])
      if (changed.length > 0) l.info(changed.map((k) => `${k} ${before[k]} → ${now[k]}`).join(', '), { event: ev.event.type })
    }
    if (id === NODE_CONTROLLER_ID) {
      const zones = (snap.context as NodeLifecycleContext).zones
      if (zones !== lastZones) {
        for (const [zone, z] of Object.entries(zones)) {
          const was = lastZones[zone]?.state
          if (was !== z.state) log.info('zone state', { zone: zone === '' ? '<none>' : zone, from: was, to: z.state, ready: z.ready, notReady: z.notReady, qps: z.limiter.qps })
        }
        lastZones = zones
      }
    }
  }

  const actor = inspectActor(deps.inspection, createActor(nodeLifecycleMachine, { clock, id: NODE_CONTROLLER_ID, input: { flags, now: clock.now() }, inspect: logEnabled('info') ? inspect : undefined }), { id: NODE_CONTROLLER_ID })
  const send = (event: NodeLifecycleEvent) => {
    if (!stopped) actor.send(event)
  }

  // ---- backoff on the injected clock; stop() wakes every sleeper
  const wakers = new Set<() => void>()
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve()
      const wake = () => {
        wakers.delete(wake)
        clock.clearTimeout(id)
        resolve()
      }
      const id = clock.setTimeout(wake, ms)
      wakers.add(wake)
    })

  async function request(req: ApiRequest, cause: number): Promise<Outcome> {
    try {
      return outcomeOf(await api.request(req, { user: NODE_CONTROLLER_USER, ...(cause > 0 ? { cause } : {}) }))
    } catch (err) {
      if (isApiError(err)) return outcomeOf({ ok: false, status: err.status })
      return { kind: 'retry', reason: err instanceof Error ? err.message : String(err) }
    }
  }

  /** Runs `attempt` until done, gone, refused for good, or out of retries; `skip` means nothing is left to do. */
  async function withRetry(what: string, fields: Record<string, unknown>, attempt: () => Promise<Outcome | 'skip'>, attempts = retry.attempts): Promise<'done' | 'gone' | 'failed'> {
    let delay = retry.initialMs
    for (let n = 1; ; n++) {
      if (stopped) return 'failed'
      const o = await attempt()
      if (stopped) return 'failed'
      if (o === 'skip' || o.kind === 'done') return 'done'
      if (o.kind === 'gone') return 'gone'
      if (o.kind === 'failed' || n >= attempts) {
        log.warn(`${what} failed`, { ...fields, reason: o.reason, attempts: n, retry: 'next monitor pass' })
        return 'failed'
      }
      log.warn(`${what} failed, retrying`, { ...fields, reason: o.reason, attempt: n, inMs: delay })
      await sleep(delay)
      delay = Math.min(delay * 2, retry.maxMs)
    }
  }

  const failed = (cmd: NodeLifecycleCommand) => send({ type: 'COMMAND_FAILED', node: cmd.node, command: cmd.type, cause: cmd.cause, now: clock.now() })

  // ---- pods per node (`spec.nodeName` index), for MarkPodsNotReady
  const podsByNode = new Map<string, Set<string>>()
  const podNode = new Map<string, string>()
  const podKey = (p: Pod) => `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`
  function indexPod(c: ObjectChange<Pod>): void {
    const key = podKey(c.object)
    const was = podNode.get(key)
    const is = c.type === 'DELETED' ? undefined : c.object.spec?.nodeName || undefined
    if (was === is) return
    if (was) podsByNode.get(was)?.delete(key)
    if (is) {
      let set = podsByNode.get(is)
      if (!set) podsByNode.set(is, (set = new Set()))
      set.add(key)
      podNode.set(key, is)
    } else podNode.delete(key)
  }

  /**
   * One attempt, no backoff: a health verdict is only as fresh as the leases it was made from.
   * Re-sending it later (say, once a partition of the controller heals) would write Unknown for a
   * node whose heartbeats have resumed meanwhile, and mark all its pods not ready. Kubernetes
   * recomputes health before each try; here COMMAND_FAILED makes the machine decide again at its
   * next monitor pass, with the leases it has by then.
   */
  async function setNodeConditions(cmd: Extract<NodeLifecycleCommand, { type: 'SetNodeConditions' }>): Promise<void> {
    const r = await withRetry(
      'setting node conditions',
      { node: cmd.node, reason: cmd.reason },
      async () => {
        if (!nodes.get(cmd.node)) return { kind: 'gone' }
        return request({ verb: 'setNodeConditions', resource: 'nodes', name: cmd.node, conditions: cmd.conditions, reason: cmd.reason }, cmd.cause)
      },
      1,
    )
    if (r === 'failed') failed(cmd)
  }

  /** `MarkPodsNotReady`: each pod's Ready condition to False (transition time now), the rest of its status kept. */
  async function markPodsNotReady(cmd: Extract<NodeLifecycleCommand, { type: 'MarkPodsNotReady' }>): Promise<void> {
    const keys = [...(podsByNode.get(cmd.node) ?? [])]
    const results = await Promise.all(
      keys.map((key) =>
        withRetry('marking pod not ready', { node: cmd.node, pod: key }, async () => {
          const pod = pods.get(key)
          if (!pod || pod.spec?.nodeName !== cmd.node) return 'skip'
          const conditions = pod.status?.conditions ?? []
          const ready = conditions.find((c) => c.type === 'Ready')
          if (!ready || ready.status === 'False') return 'skip'
          const notReady: PodCondition = { ...ready, status: 'False', lastTransitionTime: rfc3339(clock.now()) }
          const status = { ...pod.status, conditions: conditions.map((c) => (c.type === 'Ready' ? notReady : c)) }
          const rv = pod.metadata?.resourceVersion
          return request(
            { verb: 'updateStatus', resource: 'pods', namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', status, ...(rv ? { resourceVersion: rv } : {}) },
            cmd.cause,
          )
        }),
      ),
    )
    if (results.includes('failed')) failed(cmd)
  }

  async function applyTaint(cmd: ApplyTaint): Promise<void> {
    const r = await withRetry('tainting', { node: cmd.node, taint: `${cmd.add.key}:${cmd.add.effect}`, remove: cmd.remove?.key }, async () => {
      if (!nodes.get(cmd.node)) return { kind: 'gone' }
      return request({ verb: 'taint', resource: 'nodes', name: cmd.node, add: cmd.add, ...(cmd.remove ? { remove: cmd.remove } : {}) }, cmd.cause)
    })
    if (r === 'failed') failed(cmd)
  }

  async function removeTaints(cmd: Extract<NodeLifecycleCommand, { type: 'RemoveTaints' }>): Promise<void> {
    for (const t of cmd.taints) {
      const r = await withRetry('removing taint', { node: cmd.node, taint: `${t.key}:${t.effect}` }, async () => {
        const node = nodes.get(cmd.node)
        if (!node) return { kind: 'gone' }
        if (!node.spec?.taints?.some((x) => x.key === t.key && x.effect === t.effect)) return 'skip'
        return request({ verb: 'taint', resource: 'nodes', name: cmd.node, remove: t }, cmd.cause)
      })
      if (r === 'failed') return failed(cmd)
    }
  }

  const inflight = new Set<Promise<unknown>>()
  const track = (p: Promise<unknown>) => {
    inflight.add(p)
    void p.finally(() => inflight.delete(p))
  }
  actor.on('SetNodeConditions', (cmd) => track(setNodeConditions(cmd)))
  actor.on('MarkPodsNotReady', (cmd) => track(markPodsNotReady(cmd)))
  actor.on('ApplyTaint', (cmd) => track(applyTaint(cmd)))
  actor.on('RemoveTaints', (cmd) => track(removeTaints(cmd)))

  // ---- Lease renewals: heartbeats are state, not history
  const leases = new Map<string, number>()
  let pendingLeases: { name: string; renewTime: number }[] = []
  const source = deps.leases ?? natsLeaseSource(deps.nc!, log)
  const stopLeases = await source.start((name, renewTime) => {
    if (stopped) return
    leases.set(name, renewTime)
    // Batched per microtask: a watch delivers renewals in bursts, and one machine step per burst
    // is far cheaper than one per node.
    pendingLeases.push({ name, renewTime })
    if (pendingLeases.length === 1) {
      queueMicrotask(() => {
        const renewals = pendingLeases
        pendingLeases = []
        if (renewals.length > 0) send({ type: 'LEASES_RENEWED', renewals, now: clock.now() })
      })
    }
  })

  actor.start()
  const subscriptions: Subscription[] = [
    pods.changes$.subscribe(indexPod),
    nodes.changes$.subscribe((c) => send(nodeChangeEvent(c, clock.now(), leases.get(c.object.metadata?.name ?? '')))),
  ]
  log.info('node lifecycle controller started', { ...flags })

  return {
    actor,
    async stop() {
      if (stopped) return
      stopped = true
      for (const s of subscriptions) s.unsubscribe()
      for (const wake of [...wakers]) wake()
      actor.stop()
      await stopLeases()
      await Promise.allSettled([...inflight])
    },
  }
}

