/**
 * A machine's drawing, as data: the state tree and the transitions of `machine.toJSON()`, with the
 * states of a snapshot's value marked current and `after` delays named and resolved. Pure (no
 * xstate, no Node APIs): the CLI, the gateway and the web page draw from the same model.
 */
import type { StateValueData } from '../../../events/inspect.js'

export type StateKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history'

export interface DiagramState {
  /** XState's state node id (`node-monitor.health.ready`): the SVG's `data-state-id`. */
  id: string
  key: string
  kind: StateKind
  parent?: string
  /** Child state ids in document order. */
  children: string[]
  /** The initial child's id (compound states). */
  initial?: string
  current: boolean
  depth: number
}

export interface DiagramEdge {
  from: string
  /** Same as `from` for a targetless transition (actions only). */
  to: string
  /** The event type (`CHECK`, `xstate.after.grace…`, `` for always). */
  event: string
  /** What the drawing prints: `CHECK [graceExpired]`, `after nodeMonitorGracePeriod (40s)`, `always`. */
  label: string
  guard?: string
  actions: string[]
  /** For `after`: the delay's name (absent for a literal) and its resolved length. */
  delay?: { name?: string; ms?: number }
  /** No target: the state stays (drawn as a self loop, dashed). */
  targetless: boolean
}

export interface DiagramModel {
  machine: string
  root: string
  /** Every state, parents before children, in document order. */
  states: DiagramState[]
  edges: DiagramEdge[]
  /** Ids of the current states (leaves and their ancestors, the root included). */
  current: string[]
}

interface JsonTransition {
  target?: unknown[]
  eventType?: string
  event?: string
  delay?: number | string
  guard?: string | { type?: string } | null
  actions?: unknown[]
  source?: string
}

interface JsonState {
  id?: string
  key?: string
  type?: string
  initial?: { target?: unknown[] }
  states?: Record<string, JsonState>
  transitions?: JsonTransition[]
  always?: JsonTransition[]
}

/** Go's `time.Duration.String()` for whole milliseconds: `40s`, `5m0s`, `1.5s`, `100ms`, `1h0m0s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s'
  if (ms < 1000) return `${ms}ms`
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = (ms % 60_000) / 1000
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`
  if (h > 0) return `${h}h${m}m${sec}`
  if (m > 0) return `${m}m${sec}`
  return sec
}

/** A target as toJSON gives it: `#id`, or (in some versions) the state node itself. */
const stripHash = (t: unknown): string => {
  const s = typeof t === 'string' ? t : typeof (t as { id?: unknown })?.id === 'string' ? (t as { id: string }).id : ''
  return s.startsWith('#') ? s.slice(1) : s
}

function nameOf(x: unknown): string | undefined {
  if (typeof x === 'string') return x.startsWith('[function ') ? x.slice(10, -1) : x
  if (x && typeof x === 'object' && typeof (x as { type?: unknown }).type === 'string') return (x as { type: string }).type
  return undefined
}

/** The label of a transition: the event, `after <name> (<ms>)`, `always`, with `[guard]`. */
function edgeLabel(t: JsonTransition, delays: Record<string, number> | undefined): { label: string; delay?: DiagramEdge['delay'] } {
  const guard = nameOf(t.guard ?? undefined)
  const suffix = guard ? ` [${guard}]` : ''
  const event = t.eventType ?? ''
  if (t.delay !== undefined && t.delay !== null) {
    if (typeof t.delay === 'number') return { label: `after ${goDuration(t.delay)}${suffix}`, delay: { ms: t.delay } }
    const ms = delays?.[t.delay]
    return { label: `after ${t.delay}${ms !== undefined ? ` (${goDuration(ms)})` : ''}${suffix}`, delay: { name: t.delay, ...(ms !== undefined ? { ms } : {}) } }
  }
  if (event === '') return { label: `always${suffix}` }
  return { label: `${event}${suffix}` }
}

/**
 * The model of a machine definition (`machine.toJSON()`, or its JSON-safe copy), with the states
 * of `value` marked current and named delays resolved from `delays` (ms).
 */
export function diagramModel(definition: unknown, value?: StateValueData, delays?: Record<string, number>): DiagramModel {
  const root = definition as JsonState
  if (!root || typeof root !== 'object' || !root.states) throw new Error('not a machine definition (machine.toJSON())')
  const rootId = root.id ?? root.key ?? 'machine'
  const states: DiagramState[] = []
  const byId = new Map<string, { json: JsonState; state: DiagramState }>()
  const edges: DiagramEdge[] = []

  const walk = (json: JsonState, parent: DiagramState | undefined, depth: number) => {
    const id = json.id ?? (parent ? `${parent.id}.${json.key}` : rootId)
    const kind = (['atomic', 'compound', 'parallel', 'final', 'history'].includes(json.type ?? '') ? json.type : 'atomic') as StateKind
    const s: DiagramState = { id, key: json.key ?? id, kind, ...(parent ? { parent: parent.id } : {}), children: [], current: false, depth }
    states.push(s)
    byId.set(id, { json, state: s })
    parent?.children.push(id)
    for (const child of Object.values(json.states ?? {})) walk(child, s, depth + 1)
    const init = json.initial?.target?.[0]
    if (init && s.children.length > 0) s.initial = stripHash(init)
  }
  walk(root, undefined, 0)

  for (const { json, state } of byId.values()) {
    const transitions = [...(json.transitions ?? []), ...(json.always ?? [])]
    const seen = new Set<JsonTransition>()
    for (const t of transitions) {
      if (seen.has(t)) continue
      seen.add(t)
      const { label, delay } = edgeLabel(t, delays)
      const actions = (t.actions ?? []).map(nameOf).filter((a): a is string => !!a)
      const targets = (t.target ?? []).map(stripHash).filter((x) => byId.has(x))
      const guard = nameOf(t.guard ?? undefined)
      const base = { from: state.id, event: t.eventType ?? '', label, ...(guard ? { guard } : {}), actions, ...(delay ? { delay } : {}) }
      if (targets.length === 0) edges.push({ ...base, to: state.id, targetless: true })
      else for (const to of targets) edges.push({ ...base, to, targetless: false })
    }
  }

  const current = new Set<string>()
  const mark = (id: string, v: StateValueData | undefined) => {
    const entry = byId.get(id)
    if (!entry) return
    current.add(id)
    const { json, state } = entry
    if (v === undefined) {
      // A parallel state's regions are all active; a compound one left unnamed is not known.
      if (state.kind === 'parallel') for (const c of state.children) mark(c, undefined)
      return
    }
    if (typeof v === 'string') {
      const child = json.states?.[v]
      if (child) mark(child.id ?? `${id}.${v}`, undefined)
      return
    }
    for (const [k, sub] of Object.entries(v)) {
      const child = json.states?.[k]
      if (child) mark(child.id ?? `${id}.${k}`, sub)
    }
  }
  if (value !== undefined && value !== '') mark(rootId, value)
  for (const s of states) s.current = current.has(s.id)

  return { machine: rootId, root: rootId, states, edges, current: states.filter((s) => s.current).map((s) => s.id) }
}

/**
 * Events the machine handles at its root while it has states (`on` of the machine itself, as the
 * scheduler's and controllers' informer events): one line for a note, or undefined.
 */
export function rootHandlers(m: DiagramModel): string | undefined {
  const root = m.states.find((s) => s.id === m.root)
  if (!root || root.children.length === 0) return undefined
  const labels = m.edges.filter((e) => e.from === m.root).map((e) => (e.targetless ? e.label : `${e.label} → ${m.states.find((s) => s.id === e.to)?.key ?? e.to}`))
  const unique = [...new Set(labels)]
  return unique.length ? `on: ${unique.join(', ')}` : undefined
}

/**
 * Edges between the same two states merged into one, their labels combined per event
 * (`CHECK [graceExpired | reportsUnknown]`): a machine whose guards pick among targets on one
 * event otherwise draws a fan of parallel arrows.
 */
export function mergedEdges(m: DiagramModel): DiagramEdge[] {
  const groups = new Map<string, DiagramEdge[]>()
  for (const e of m.edges) {
    const k = `${e.from}\0${e.to}\0${e.targetless}`
    const g = groups.get(k)
    if (g) g.push(e)
    else groups.set(k, [e])
  }
  return [...groups.values()].map((g) => {
    if (g.length === 1) return g[0]
    const byEvent = new Map<string, DiagramEdge[]>()
    for (const e of g) {
      const k = e.delay ? e.label : e.event
      byEvent.set(k, [...(byEvent.get(k) ?? []), e])
    }
    const label = [...byEvent.values()]
      .map((es) => {
        if (es.length === 1 || es[0].delay) return es[0].label
        const guards = es.map((e) => e.guard ?? 'else')
        const head = es[0].event === '' ? 'always' : es[0].event
        return `${head} [${guards.join(' | ')}]`
      })
      .join(', ')
    return { ...g[0], label, guard: undefined, actions: [...new Set(g.flatMap((e) => e.actions))] }
  })
}
