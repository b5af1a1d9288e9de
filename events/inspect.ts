/**
 * The inspection stream: what every actor host publishes about its actors (XState `inspect`), so
 * `kstate inspect`, `kstate ui` and tests can see every statechart of every process live.
 *
 * Subjects (msgpack bodies, core NATS, not the log: inspection is observation, never history):
 * - `kstate.inspect.<actor-id>`: a stream of `InspectionMessage`s for that actor. Actor ids use
 *   `/` as separator (`node-controller/node-7`, `kubelet/node-7/pod/default/web-1`); `.` in a name
 *   is encoded as `~` like log subjects, so one id is one subject token path.
 * - `kstate.inspect-control.list`: request; every process answers with an `InspectionListReply`
 *   (many responders: collect replies for a short window).
 * - `kstate.inspect-control.get`: request `{ id }`; the process hosting that actor answers with an
 *   `InspectionActorReply` (context, value, machine definition for diagrams); others stay silent.
 * - `kstate.inspect-control.set`: request `{ id | prefix, mode }` switches publishing per actor.
 */
import { encodeToken } from './subjects.js'

export const INSPECT_PREFIX = 'kstate.inspect'
export const INSPECT_LIST_SUBJECT = 'kstate.inspect-control.list'
export const INSPECT_GET_SUBJECT = 'kstate.inspect-control.get'
export const INSPECT_SET_SUBJECT = 'kstate.inspect-control.set'

/** `kstate.inspect.<id>` with `/` kept and `.` encoded. */
export function inspectSubject(actorId: string): string {
  return `${INSPECT_PREFIX}.${encodeToken(actorId)}`
}

/** An XState state value as plain data: `'Ready'` or `{ health: 'Ready', taint: 'none' }`. */
export type StateValueData = string | { [region: string]: StateValueData }

/** Publishing mode of one actor: every message, one snapshot in N, or nothing. */
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
  /** An event reached the actor; `source` is the sending actor's id, or the host (`nats`, `clock`, `informer`). */
  | (Base & { kind: 'event'; event: string; source?: string })
  /** The snapshot after a macrostep: `from → to` on `event`. `context` only when the host was asked to include it. */
  | (Base & { kind: 'snapshot'; event: string; from?: StateValueData; value: StateValueData; status: 'active' | 'done' | 'error' | 'stopped'; context?: unknown })
  /** An action executed (its `type`), e.g. `emitTaint`. */
  | (Base & { kind: 'action'; action: string })
  /** The actor stopped. */
  | (Base & { kind: 'stopped' })

/** One actor as `kstate inspect` lists it. */
export interface InspectedActor {
  id: string
  machine: string
  process: string
  value: StateValueData
  lastEvent?: string
  /** When it was created, epoch ms. */
  since: number
  /** When it last changed, epoch ms. */
  lastAt?: number
  mode: InspectionMode['kind']
}

export interface InspectionListReply {
  process: string
  pid: number
  actors: InspectedActor[]
}

export interface InspectionActorReply extends InspectedActor {
  context: unknown
  /** `machine.toJSON()` (states, transitions, `after` delays) for diagrams. */
  definition: unknown
}
