import { API_REQUEST_SUBJECT, CHAOS_PREFIX, LEASE_BUCKET, LOG_PREFIX, decodeToken } from '../../events/index.js'
import { subjectMatches } from './subject-match.js'

/**
 * Who is on the other end of a bus message, read from its subject. kstate's processes are the
 * control plane (`control-plane`: api-server, scheduler, controllers) and one process per node
 * (named as the node). Everything goes through nats-server, so a process never sees its peer's
 * address; the subject says it: the api-server serves `kstate.api.request`, a kubelet serves
 * `kstate.kubelet.<node>.…`, only the api-server writes `kstate.log.…`, and node `n` alone renews
 * `$KV.kstate-node-leases.n`.
 */
export const CONTROL_PLANE = 'control-plane'

/** `CLUSTER_INFO_SUBJECT` of runtime/cluster/control-plane.ts (importing it here would make a cycle through connect.ts). */
const CLUSTER_INFO_SUBJECT = 'kstate.cluster.info'
const LEASE_PREFIX = `$KV.${LEASE_BUCKET}.`
const KUBELET_PREFIX = 'kstate.kubelet.'

/** The process a message published on `subject` is meant for; undefined for JetStream's own API and broadcast subjects. */
export function receiverOf(subject: string): string | undefined {
  if (subject === API_REQUEST_SUBJECT || subject === CLUSTER_INFO_SUBJECT) return CONTROL_PLANE
  if (subject.startsWith(KUBELET_PREFIX)) return decodeToken(subject.split('.')[2] ?? '')
  if (subject.startsWith(LEASE_PREFIX)) return CONTROL_PLANE
  return undefined
}

/** The process that sent a message delivered on `subject` to `receiver`; undefined when the subject does not tell. */
export function senderOf(subject: string, receiver: string): string | undefined {
  if (subject.startsWith(`${LOG_PREFIX}.`)) return CONTROL_PLANE
  if (subject.startsWith(LEASE_PREFIX)) return decodeToken(subject.slice(LEASE_PREFIX.length))
  if (subject.startsWith(KUBELET_PREFIX) && receiver !== CONTROL_PLANE) return CONTROL_PLANE
  return undefined
}

/**
 * Subjects delivered from a JetStream stream (the log, the lease bucket). A message on them is
 * faulted where it is delivered, not where it is published, so each message meets a fault once.
 */
export function isStreamSubject(subject: string): boolean {
  return subject.startsWith(`${LOG_PREFIX}.`) || subject.startsWith('$KV.')
}

/** Chaos control itself, JetStream's API and replies are never faulted (replies are faulted through their requests). */
export function isExempt(subject: string): boolean {
  return subject.startsWith(`${CHAOS_PREFIX}.`) || subject.startsWith('$JS.') || subject.startsWith('_INBOX.')
}

/** The bus input of an actor: the process it runs in and the subjects that feed it. */
export interface ActorRoute {
  process: string
  subjects: string[]
}

/**
 * Actors whose input crosses the bus. The scheduler and the ReplicaSet and taint-eviction
 * controllers read the control plane's projection in process: no bus message reaches them, so the
 * bus cannot pause them (see `PausableActorError`).
 */
export function actorRoute(actor: string): ActorRoute | undefined {
  if (actor === 'api-server') return { process: CONTROL_PLANE, subjects: [API_REQUEST_SUBJECT] }
  if (actor === 'node-controller') return { process: CONTROL_PLANE, subjects: [`${LEASE_PREFIX}>`] }
  const m = /^kubelet\/([^/]+)$/.exec(actor)
  if (m) return { process: m[1], subjects: [`${LOG_PREFIX}.>`, `${KUBELET_PREFIX}${m[1].replaceAll('.', '~')}.>`] }
  return undefined
}

export const PAUSABLE_ACTORS = 'api-server, node-controller, kubelet/<node>'

/** Whether a message on `subject` handled by `process` is input of `actor`. */
export function isActorInput(actor: string, process: string, subject: string): boolean {
  const r = actorRoute(actor)
  return !!r && r.process === process && r.subjects.some((p) => subjectMatches(p, subject))
}
