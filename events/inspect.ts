/**
 * The inspection stream: what every actor host publishes about its actors (XState `inspect`), so
 * `kstate inspect`, `kstate ui` and tests can see every statechart of every process live.
 *
 * Subjects (msgpack bodies, core NATS, not the log: inspection is observation, never history):
 * - `kstate.inspect.<actor-id as tokens>`: batches of `InspectionMessage`s for that actor. An actor
 *   id uses `/` as separator (`node-controller/node-7`, `kubelet/node-7/pod/default/web-1`); on the
 *   subject each `/` becomes `.` and a `.` inside a name becomes `~` (as log subjects), so
 *   `kstate.inspect.node-controller.>` follows every node machine and `kstate.inspect.>` all.
 *   The BODY IS AN ARRAY: `InspectionMessage[]`, in order, all of the same actor: the host batches
 *   what one actor did in one event-loop turn into one NATS message (one publish per message would
 *   cost more than the actor's own step). Use `decodeInspectionBatch`.
 * - `kstate.inspect-control.list`: request (empty body); every process answers with an
 *   `InspectionListReply` (many responders: collect replies until they stall, ~500 ms).
 * - `kstate.inspect-control.get`: request `InspectionGetRequest`; the process hosting that actor
 *   answers with an `InspectionActorReply` (context, value, machine definition); others stay silent.
 * - `kstate.inspect-control.set`: request `InspectionSetRequest` switches publishing of one actor
 *   or every actor under a prefix (also those created later); every process answers an
 *   `InspectionSetReply` (many responders, as list). An actor system whose actors are all `off`
 *   has no XState inspection observer at all (`--inspect off` costs nothing); while off, an
 *   actor's `lastEvent` is not tracked.
 *
 * Messages per actor, in order: `created` once (its first state), then per macrostep `event`,
 * its `action`s and one `snapshot` (also when the state stayed: `from` equals `value`), and
 * `stopped` after a final snapshot. `sampled:N` publishes every Nth macrostep whole.
 *
 * Over HTTP (the gateway, for the CLI and `kstate ui`, which hold only the kubeconfig), JSON:
 * - `GET /kstate/v1/actors` → `ActorList` (every process's actors, sorted by id).
 * - `GET /kstate/v1/actors/<id>` → `InspectionActorReply`; `<id>` is one URL-encoded segment
 *   (`node-controller%2Fnode-7`); raw slashes are accepted too.
 * - `GET /kstate/v1/actors/<id>?watch=1` and `GET /kstate/v1/inspect?watch=1[&actor=<id|prefix>]`
 *   → NDJSON, one `InspectionMessage` per line, live (`actor=kubelet/n1` = that actor and every
 *   actor under `kubelet/n1/`). Nothing is replayed: list or get first for the current state.
 * - `GET /kstate/v1/actors/<id>/diagram?format=svg|mermaid|dot|json` → the machine drawn with its
 *   current state marked (svg: `<g class="state current" data-state-id="<state id>">`, see
 *   runtime/inspect/diagram/svg.ts; `json` is the `DiagramModel`).
 * - `POST /kstate/v1/inspect/mode` body `InspectionSetRequest` → `{ items: InspectionSetReply[] }`.
 * - `GET /kstate/v1/explain/namespaces/<ns>/pods/<name>` → `Explanation` (runtime/inspect/explain.ts).
 */
import { decode } from './codec.js'
import { encodeToken } from './subjects.js'

export const INSPECT_PREFIX = 'kstate.inspect'
/** Every actor's stream. */
export const INSPECT_ALL = `${INSPECT_PREFIX}.>`
export const INSPECT_LIST_SUBJECT = 'kstate.inspect-control.list'
export const INSPECT_GET_SUBJECT = 'kstate.inspect-control.get'
export const INSPECT_SET_SUBJECT = 'kstate.inspect-control.set'

/** One subject token per id segment; characters NATS reserves in tokens become `_`. */
function idTokens(actorId: string): string {
  return actorId
    .split('/')
    .map((s) => encodeToken(s).replace(/[\s*>]/g, '_') || '_')
    .join('.')
}

/** `kstate.inspect.node-controller.node-7` for `node-controller/node-7`. */
export function inspectSubject(actorId: string): string {
  return `${INSPECT_PREFIX}.${idTokens(actorId)}`
}

/** The subjects that carry one actor and every actor under it (`<id>/…`). */
export function inspectSubjectsUnder(actorId: string): [string, string] {
  const s = inspectSubject(actorId)
  return [s, `${s}.>`]
}

/** Whether `id` is `filter` or under it (`filter/…`); no filter matches all. */
export function actorMatches(id: string, filter: string | undefined): boolean {
  if (!filter) return true
  const f = filter.endsWith('/') ? filter.slice(0, -1) : filter
  return id === f || id.startsWith(`${f}/`)
}

/** An XState state value as plain data: `'ready'` or `{ health: 'ready', taint: 'untainted' }`. */
export type StateValueData = string | { [region: string]: StateValueData }

/** Publishing mode of one actor: every message, one macrostep in N, or nothing. */
export type InspectionMode = { kind: 'on' } | { kind: 'sampled'; every: number } | { kind: 'off' }

interface Base {
  /** Actor id (`scheduler`, `node-controller/node-7`). */
  id: string
  /** Wall or virtual clock time of the host, epoch ms. */
  at: number
}

export type InspectionMessage =
  /** The actor started: its machine id, process and first state. */
  | (Base & { kind: 'created'; machine: string; process: string; parent?: string; value: StateValueData })
  /**
   * An event reached the actor. `source`: the sending actor's id; `clock` for its own delayed
   * events (`after`, delayed `raise`); otherwise what the host fed it from (`informer`, `nats`,
   * `api-server`, `driver`, …).
   */
  | (Base & { kind: 'event'; event: string; source?: string })
  /**
   * The snapshot after a macrostep: `from → value` on `event` (`from` equal to `value` when it
   * stayed); `source` is that event's source, as in its `event` message.
   */
  | (Base & { kind: 'snapshot'; event: string; source?: string; from?: StateValueData; value: StateValueData; status: 'active' | 'done' | 'error' | 'stopped'; context?: unknown })
  /** An action executed: its name (`markPodsNotReady`), or `emit BindPod`, `raise CHECK`, `cancel spawn`, `sendTo …`. */
  | (Base & { kind: 'action'; action: string })
  /** The actor stopped. */
  | (Base & { kind: 'stopped' })

/** Decodes one NATS message of `kstate.inspect.…` (throws `MalformedFrameError` on garbage). */
export function decodeInspectionBatch(frame: Uint8Array): InspectionMessage[] {
  const v = decode<unknown>(frame)
  return (Array.isArray(v) ? v : [v]) as InspectionMessage[]
}

/** One actor as `kstate inspect` lists it. */
export interface InspectedActor {
  id: string
  machine: string
  process: string
  /** The parent's actor id, for children (`node-controller` for `node-controller/node-7`). */
  parent?: string
  value: StateValueData
  /** XState status of its snapshot. */
  status?: 'active' | 'done' | 'error' | 'stopped'
  lastEvent?: string
  /** When it was created, epoch ms. */
  since: number
  /** When it last received an event, epoch ms. */
  lastAt?: number
  mode: InspectionMode['kind']
  /** For `sampled`: one macrostep in `every` is published. */
  every?: number
}

export interface InspectionListReply {
  process: string
  pid: number
  actors: InspectedActor[]
}

export interface InspectionGetRequest {
  id: string
}

export interface InspectionActorReply extends InspectedActor {
  pid: number
  /** JSON-safe copy of the context, capped in size (`contextTruncated` says when parts were cut). */
  context: unknown
  contextTruncated?: boolean
  /** `machine.toJSON()` (states, transitions, `after` delays), JSON-safe, for diagrams. */
  definition: unknown
  /** Named delays of the machine resolved against the current context, ms (`nodeMonitorGracePeriod: 40000`). */
  delays?: Record<string, number>
}

/** One actor (`id`) or all under `prefix` (and those created later under it); neither: every actor of every process. */
export interface InspectionSetRequest {
  id?: string
  prefix?: string
  mode: InspectionMode
}

export interface InspectionSetReply {
  process: string
  /** Ids of the actors whose mode changed. */
  changed: string[]
}

/** `GET /kstate/v1/actors`. */
export interface ActorList {
  kind: 'ActorList'
  processes: { process: string; pid: number; actors: number }[]
  items: InspectedActor[]
}

/** `on`, `off`, `sampled:N` (the `--inspect` flag and `?mode=`). */
export function parseInspectionMode(text: string): InspectionMode {
  const t = text.trim().toLowerCase()
  if (t === 'on') return { kind: 'on' }
  if (t === 'off') return { kind: 'off' }
  const m = /^sampled:(\d+)$/.exec(t)
  if (m && Number(m[1]) >= 1) return Number(m[1]) === 1 ? { kind: 'on' } : { kind: 'sampled', every: Number(m[1]) }
  throw new Error(`inspection mode must be on, off or sampled:N (N ≥ 1), got "${text}"`)
}

export function formatInspectionMode(m: InspectionMode): string {
  return m.kind === 'sampled' ? `sampled:${m.every}` : m.kind
}
