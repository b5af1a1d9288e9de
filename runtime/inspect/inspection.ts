import type { AnyActorRef, EventObject, InspectionEvent, Subscription } from 'xstate'
import {
  actorMatches,
  formatInspectionMode,
  type InspectedActor,
  type InspectionActorReply,
  type InspectionListReply,
  type InspectionMessage,
  type InspectionMode,
  type InspectionSetReply,
  type InspectionSetRequest,
  type StateValueData,
} from '../../events/inspect.js'
import { jsonSafe } from './json-safe.js'
import { hostSource } from './sources.js'

/**
 * One process's inspection. Hosts hand it their root actors (`inspectActor`); while any actor of
 * a root's system is inspected, an XState `inspect` observer on that system turns what its actors
 * do into `InspectionMessage`s for a sink (NATS in `nats.ts`, an array in tests). The registry
 * answers list / get / set from the live actor trees.
 *
 * Cost: XState spends about as much again on every event of a system that has an inspection
 * observer (it builds an inspection event per event, microstep, action and snapshot), so a system
 * whose actors are all `off` has no observer at all: off costs nothing, and the observer is
 * attached again when a `set` turns an actor on. Within an observed system an `off` actor costs a
 * lookup per event; `sampled:N` publishes one macrostep (its event, actions and snapshot) in N.
 */
export interface InspectOptions {
  /** The root actor's id (`scheduler`, `kubelet/n1/pod/default/web`). */
  id: string
  /**
   * Where events the host sends (`actor.send`) come from: a fixed name (`informer`, `nats`) or one
   * per event (default `hostSource`). Events from another actor carry its id; the actor's own
   * delayed events `clock`.
   */
  source?: string | ((event: EventObject) => string | undefined)
}

interface Entry {
  id: string
  ref: AnyActorRef
  machine: string
  parent?: string
  since: number
  lastEvent?: string
  lastAt?: number
  mode: InspectionMode
  /** Events seen, for sampling. */
  n: number
  /**
   * Events announced but not yet processed, oldest first: XState reports an event when it is
   * sent, and a child may send to its parent while the parent is still in the step its own
   * event started, so a snapshot belongs to the oldest entry of its event type, not the latest.
   */
  queue: { type: string; source?: string; publishing: boolean }[]
  /** The value after the last snapshot seen while published: the next snapshot's `from`. */
  value?: StateValueData
  /** Announced (`created` sent, or seen running when the observer was attached). */
  created: boolean
}

interface Root {
  id: string
  ref: AnyActorRef
  opts: InspectOptions
  /** The system's observer, while one of its actors is inspected. */
  sub?: Subscription
}

export interface InspectionDeps {
  /** Process name in listings: `control-plane`, `node/n1`. */
  process: string
  clock: { now(): number }
  /** Mode of actors no rule names (the `--inspect` flag). Default on. */
  mode?: InspectionMode
  sink(msg: InspectionMessage): void
  pid?: number
}

/** `xstate.emit` → `emit BindPod`: the builtin actions say what they did, not their kind. */
function actionName(action: { type: string; params?: unknown }): string {
  const p = action.params as { event?: { type?: string }; sendId?: string; to?: { id?: string } | string; delay?: unknown } | undefined
  switch (action.type) {
    case 'xstate.emit':
      return `emit ${p?.event?.type ?? ''}`.trim()
    case 'xstate.raise':
      return `raise ${p?.event?.type ?? ''}${typeof p?.delay === 'number' && p.delay > 0 ? ` after ${p.delay}ms` : ''}`.trim()
    case 'xstate.sendTo':
      return `sendTo ${typeof p?.to === 'string' ? p.to : (p?.to?.id ?? '')} ${p?.event?.type ?? ''}`.trim()
    case 'xstate.cancel':
      return `cancel ${p?.sendId ?? ''}`.trim()
    default:
      return action.type
  }
}

const logicOf = (ref: AnyActorRef) =>
  (ref as unknown as { logic?: { id?: string; config?: { id?: string }; toJSON?: () => unknown; implementations?: { delays?: Record<string, unknown> }; root?: StateNodeLike } }).logic

const machineName = (ref: AnyActorRef): string => {
  const logic = logicOf(ref)
  const id = logic?.id ?? logic?.config?.id
  if (id && id !== '(machine)') return id
  return typeof ref.src === 'string' ? ref.src : (id ?? 'actor')
}

/** Events an actor may have announced and not yet processed before the oldest is dropped (a stopped actor receives but never steps). */
const MAX_QUEUED = 64

const parentOf = (ref: AnyActorRef) => (ref as { _parent?: AnyActorRef })._parent
const statusOf = (ref: AnyActorRef) => (ref.getSnapshot() as { status?: InspectedActor['status'] } | undefined)?.status
const valueOf = (ref: AnyActorRef) => (ref.getSnapshot() as { value?: StateValueData } | undefined)?.value
const childrenOf = (ref: AnyActorRef) => Object.values((ref.getSnapshot() as { children?: Record<string, AnyActorRef> } | undefined)?.children ?? {}).filter(Boolean)

export class Inspection {
  readonly process: string
  readonly pid: number
  private readonly roots = new Map<string, Root>()
  private readonly entries = new WeakMap<AnyActorRef, Entry>()
  private defaultMode: InspectionMode
  /** `set` requests by prefix, applied in order to actors created later. */
  private rules: { prefix: string; mode: InspectionMode }[] = []
  private rootsAtPrune = 64

  constructor(private readonly deps: InspectionDeps) {
    this.process = deps.process
    this.pid = deps.pid ?? process.pid
    this.defaultMode = deps.mode ?? { kind: 'on' }
  }

  /** Registers a host's root actor (before `start()`, so its start is seen); returns it. */
  attach<T extends AnyActorRef>(actor: T, opts: InspectOptions): T {
    const previous = this.roots.get(opts.id)
    previous?.sub?.unsubscribe()
    const root: Root = { id: opts.id, ref: actor, opts }
    this.roots.set(opts.id, root)
    this.entry(actor, root)
    if (this.roots.size >= this.rootsAtPrune * 2) this.prune()
    this.observe(root)
    return actor
  }

  /** The entry of an actor of `root`'s tree, made on first sight. */
  private entry(ref: AnyActorRef, root: Root): Entry {
    let e = this.entries.get(ref)
    if (e) return e
    const parentRef = parentOf(ref)
    const parent = parentRef ? this.entry(parentRef, root) : undefined
    const id = !parent ? root.id : ref.id.startsWith(`${parent.id}/`) ? ref.id : `${parent.id}/${ref.id}`
    e = { id, ref, machine: machineName(ref), ...(parent ? { parent: parent.id } : {}), since: this.deps.clock.now(), mode: this.modeFor(id), n: 0, queue: [], created: false }
    this.entries.set(ref, e)
    return e
  }

  /** Every actor of a root's tree: the root, then its children depth first. */
  private tree(root: Root): AnyActorRef[] {
    const out: AnyActorRef[] = []
    const walk = (ref: AnyActorRef) => {
      out.push(ref)
      for (const c of childrenOf(ref)) walk(c)
    }
    walk(root.ref)
    return out
  }

  /** Whether anything in `root`'s system is (or, when created, would be) inspected. */
  private wanted(root: Root): boolean {
    if (this.modeFor(root.id).kind !== 'off') return true
    if (this.rules.some((r) => r.mode.kind !== 'off' && actorMatches(r.prefix, root.id))) return true
    return this.tree(root).some((ref) => {
      const e = this.entries.get(ref)
      return e !== undefined && e.mode.kind !== 'off'
    })
  }

  /** Attaches or detaches the system's observer as its actors' modes require. */
  private observe(root: Root): void {
    const want = this.wanted(root)
    if (want && !root.sub) {
      // Actors already running are announced by `set`; from now on every step is seen.
      root.sub = root.ref.system.inspect(this.observer(root))
    } else if (!want && root.sub) {
      root.sub.unsubscribe()
      root.sub = undefined
    }
  }

  private observer(root: Root): (ev: InspectionEvent) => void {
    const { sink, clock } = this.deps
    const source0 = root.opts.source ?? hostSource
    return (ev) => {
      const ref = ev.actorRef as AnyActorRef
      if (ev.type === '@xstate.actor') {
        this.entry(ref, root)
        return
      }
      const e = this.entries.get(ref)
      if (!e) return
      switch (ev.type) {
        case '@xstate.event': {
          const type = (ev.event as EventObject).type
          const at = clock.now()
          e.lastEvent = type
          e.lastAt = at
          // Started: its first state is known now (not when it was constructed).
          if (type === 'xstate.init') return this.announce(e, at)
          const mode = e.mode
          if (mode.kind === 'off') return
          const publishing = mode.kind === 'on' || e.n++ % mode.every === 0
          if (e.queue.length >= MAX_QUEUED) e.queue.shift()
          if (!publishing) return void e.queue.push({ type, publishing })
          const src = ev.sourceRef as AnyActorRef | undefined
          const source = src === undefined ? (typeof source0 === 'string' ? source0 : source0(ev.event as EventObject)) : src === ref ? 'clock' : (this.entries.get(src)?.id ?? src.id)
          e.queue.push({ type, ...(source ? { source } : {}), publishing })
          sink({ kind: 'event', id: e.id, at, event: type, ...(source ? { source } : {}) })
          return
        }
        case '@xstate.action':
          // Actions run within the step of the oldest event not yet processed.
          if (e.mode.kind !== 'off' && e.queue[0]?.publishing) sink({ kind: 'action', id: e.id, at: clock.now(), action: actionName(ev.action) })
          return
        case '@xstate.snapshot': {
          const snap = ev.snapshot as { status: 'active' | 'done' | 'error' | 'stopped'; value?: StateValueData }
          const done = snap.status !== 'active'
          if (e.mode.kind === 'off') return
          const type = (ev.event as EventObject).type
          let step = e.queue.shift()
          while (step && step.type !== type) step = e.queue.shift()
          const from = e.value
          e.value = snap.value
          if (!e.created) this.announce(e, clock.now())
          else if (step?.publishing || done) {
            const source = step?.source
            sink({ kind: 'snapshot', id: e.id, at: clock.now(), event: type, ...(source ? { source } : {}), ...(from !== undefined ? { from } : {}), value: snap.value ?? '', status: snap.status })
          }
          if (done) sink({ kind: 'stopped', id: e.id, at: clock.now() })
          return
        }
      }
    }
  }

  private announce(e: Entry, at: number): void {
    e.created = true
    const value = valueOf(e.ref) ?? ''
    e.value = value
    if (e.mode.kind === 'off') return
    this.deps.sink({ kind: 'created', id: e.id, at, machine: e.machine, process: this.process, ...(e.parent ? { parent: e.parent } : {}), value })
  }

  /** Roots that stopped or finished leave (a pod worker when its pod is gone). */
  private prune(): void {
    for (const [id, r] of this.roots) {
      if (statusOf(r.ref) !== 'active') {
        r.sub?.unsubscribe()
        this.roots.delete(id)
      }
    }
    this.rootsAtPrune = Math.max(64, this.roots.size)
  }

  private modeFor(id: string): InspectionMode {
    let mode = this.defaultMode
    for (const r of this.rules) if (actorMatches(id, r.prefix)) mode = r.mode
    return mode
  }

  /** Every live actor with its entry, root by root. */
  private actors(): Entry[] {
    this.prune()
    const out: Entry[] = []
    for (const root of this.roots.values()) for (const ref of this.tree(root)) if (statusOf(ref) === 'active') out.push(this.entry(ref, root))
    return out
  }

  private describe(e: Entry): InspectedActor {
    const status = statusOf(e.ref)
    return {
      id: e.id,
      machine: e.machine,
      process: this.process,
      ...(e.parent ? { parent: e.parent } : {}),
      value: valueOf(e.ref) ?? '',
      ...(status ? { status } : {}),
      ...(e.lastEvent ? { lastEvent: e.lastEvent } : {}),
      since: e.since,
      ...(e.lastAt !== undefined ? { lastAt: e.lastAt } : {}),
      mode: e.mode.kind,
      ...(e.mode.kind === 'sampled' ? { every: e.mode.every } : {}),
    }
  }

  /** Every live actor of this process, sorted by id. */
  list(): InspectionListReply {
    const actors = this.actors().map((e) => this.describe(e))
    actors.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return { process: this.process, pid: this.pid, actors }
  }

  /** The live actor with this id in this process (roots and their children), or undefined. */
  ref(id: string): AnyActorRef | undefined {
    return this.find(id)?.ref
  }

  private find(id: string): Entry | undefined {
    // The root with the longest id above it: `kubelet/n1/pod/default/web` is a root of its own, not a child of `kubelet/n1`.
    const root = [...this.roots.values()].filter((r) => actorMatches(id, r.id)).sort((a, b) => b.id.length - a.id.length)[0]
    if (!root || statusOf(root.ref) !== 'active') return undefined
    const e = this.tree(root).map((ref) => this.entry(ref, root)).find((x) => x.id === id)
    return e && statusOf(e.ref) === 'active' ? e : undefined
  }

  /** One actor with its context, machine definition and resolved delays; undefined if not here. */
  get(id: string): InspectionActorReply | undefined {
    const e = this.find(id)
    if (!e) return undefined
    const context = jsonSafe((e.ref.getSnapshot() as { context?: unknown }).context)
    const logic = logicOf(e.ref)
    const definition = logic?.toJSON ? jsonSafe(machineDefinition(logic), { budget: 4 * 1024 * 1024, maxItems: 1_000, maxDepth: 64 }).value : undefined
    return {
      ...this.describe(e),
      pid: this.pid,
      context: context.value,
      ...(context.truncated ? { contextTruncated: true } : {}),
      definition,
      delays: resolveDelays(logic?.implementations?.delays, (e.ref.getSnapshot() as { context?: unknown }).context),
    }
  }

  /** Switches publishing of one actor, a prefix (and its future actors), or everything. */
  set(req: InspectionSetRequest): InspectionSetReply {
    const changed: string[] = []
    const matches = (id: string) => (req.id !== undefined ? id === req.id : req.prefix ? actorMatches(id, req.prefix) : true)
    // Entries first, under the old rules, so every actor whose mode changes is seen changing.
    const all = this.actors()
    if (req.id === undefined) {
      if (req.prefix) this.rules.push({ prefix: req.prefix, mode: req.mode })
      else {
        this.rules = []
        this.defaultMode = req.mode
      }
    }
    for (const e of all) {
      if (!matches(e.id) || formatInspectionMode(e.mode) === formatInspectionMode(req.mode)) continue
      if (e.mode.kind === 'off') {
        // Resume from what the actor is now, so the next snapshot's `from` is right.
        e.value = valueOf(e.ref)
        e.created = true
      }
      e.mode = req.mode
      e.n = 0
      e.queue = []
      changed.push(e.id)
    }
    for (const root of this.roots.values()) this.observe(root)
    return { process: this.process, changed: changed.sort() }
  }
}

/** Named delays evaluated against the context: numbers as they are, functions called (errors skipped). */
export function resolveDelays(delays: Record<string, unknown> | undefined, context: unknown): Record<string, number> | undefined {
  if (!delays) return undefined
  const out: Record<string, number> = {}
  for (const [name, d] of Object.entries(delays)) {
    try {
      const ms = typeof d === 'function' ? (d as (a: unknown) => unknown)({ context, event: { type: 'xstate.inspect' } }) : d
      if (typeof ms === 'number' && Number.isFinite(ms)) out[name] = ms
    } catch {
      // a delay that needs a specific event cannot be resolved here
    }
  }
  return Object.keys(out).length ? out : undefined
}

/**
 * For hosts: `inspectActor(deps.inspection, createActor(…), { id })` registers the root actor with
 * this process's inspection, before `start()`; without inspection (the in-memory simulation,
 * tests) it returns the actor untouched.
 */
export function inspectActor<T extends AnyActorRef>(inspection: Inspection | undefined, actor: T, opts: InspectOptions): T {
  return inspection ? inspection.attach(actor, opts) : actor
}

interface StateNodeLike {
  states?: Record<string, StateNodeLike>
  always?: { toJSON?: () => unknown }[]
}

/**
 * `machine.toJSON()` plus each state's eventless (`always`) transitions, which toJSON leaves out
 * and which a drawing of the machine needs (the node monitor's `taint.boot` is one).
 */
export function machineDefinition(machine: { toJSON?: () => unknown; root?: StateNodeLike }): unknown {
  const json = machine.toJSON?.() as { states?: Record<string, unknown> } | undefined
  const add = (node: StateNodeLike | undefined, j: { states?: Record<string, unknown>; always?: unknown } | undefined) => {
    if (!node || !j) return
    if (node.always?.length) j.always = node.always.map((t) => (typeof t.toJSON === 'function' ? t.toJSON() : t))
    for (const [k, child] of Object.entries(node.states ?? {})) add(child, j.states?.[k] as typeof j)
  }
  add(machine.root, json)
  return json
}
