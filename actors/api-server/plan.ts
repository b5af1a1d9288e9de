import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import {
  failureStatus,
  logSubject,
  type ApiRequest,
  type ApiResponse,
  type LogEvent,
  type RequestContext,
  type Resource,
} from '../../events/index.js'
import { admitNodeCreate, admitNodeUpdate, admitPodCreate, admitPodUpdate, deepEqual } from './admission.js'

/**
 * The api-server's decision for one write, as a pure function: what to append (with which
 * expected revision) or what to answer. The host looks up the current object and performs it.
 */

export interface ObjectView {
  /** The object as the projection has it now, absent if it does not exist (or was deleted). */
  current?: Pod | Node
  /** Last revision on the object's subject, tombstones included: the compare-and-set value. */
  subjectRev: number
}

export interface WriteRequest {
  request: ApiRequest
  context: RequestContext
  /** Injected time (epoch ms) and identity sources: the machine never reads a clock or RNG. */
  now: number
  uid: string
  /** Name the request targets, from `targetName` (for creates with `generateName`, the generated one). */
  name: string
  view: ObjectView
}

export type WritePlan =
  /** `userRev`: the expected revision came from the client, so a conflict is the client's 409, not a retry. */
  | { kind: 'append'; subject: string; expectedRev: number; event: LogEvent; userRev: boolean; code: number }
  | { kind: 'respond'; response: ApiResponse }

const KIND: Record<Resource, string> = { pods: 'Pod', nodes: 'Node' }
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

const respond = (response: ApiResponse): WritePlan => ({ kind: 'respond', response })
const fail = (...a: Parameters<typeof failureStatus>): WritePlan => respond({ ok: false, status: failureStatus(...a) })

function notFound(resource: Resource, name: string): WritePlan {
  return fail('NotFound', `${resource} "${name}" not found`, { name, kind: resource })
}

function conflict(resource: Resource, name: string): WritePlan {
  return fail('Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, {
    name,
    kind: resource,
  })
}

const metaOf = (o: unknown): Record<string, unknown> | undefined =>
  typeof o === 'object' && o !== null ? ((o as { metadata?: Record<string, unknown> }).metadata ?? undefined) : undefined

/** The object name a request targets; a create with only `generateName` gets `generateName + suffix`. */
export function targetName(request: ApiRequest, suffix: string): string {
  if (request.verb !== 'create') return request.name
  const meta = metaOf(request.object)
  const name = meta?.name
  if (typeof name === 'string' && name !== '') return name
  const gen = meta?.generateName
  return typeof gen === 'string' && gen !== '' ? `${gen}${suffix}` : ''
}

/** A no-op apply must not append anything: compare ignoring resourceVersion and key order. */
function sameObject(a: unknown, b: unknown): boolean {
  const strip = (o: unknown) => {
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = metaOf(o) ?? {}
    return { ...(o as object), metadata: meta }
  }
  return deepEqual(strip(a), strip(b))
}

export function planWrite(w: WriteRequest): WritePlan {
  const { request: r, context, now, view } = w
  const ns = r.resource === 'nodes' ? undefined : (r.namespace ?? 'default')
  const subject = logSubject(r.resource, ns, w.name)
  const base = { v: 1, at: now, by: context.user, ...(context.cause ? { cause: context.cause } : {}) }
  const append = (event: LogEvent, expectedRev: number, userRev = false, code = 200): WritePlan => ({ kind: 'append', subject, expectedRev, event, userRev, code })

  switch (r.verb) {
    case 'create': {
      if (view.current) {
        return fail('AlreadyExists', `${r.resource} "${w.name}" already exists`, { name: w.name, kind: r.resource })
      }
      const ctx = { namespace: ns, now: rfc3339(now), uid: w.uid, name: w.name }
      if (r.resource === 'pods') {
        const res = admitPodCreate(r.object, ctx)
        if (!res.ok) return respond({ ok: false, status: res.status })
        return append({ ...base, type: 'PodCreated', data: { object: res.pod } }, view.subjectRev, false, 201)
      }
      const res = admitNodeCreate(r.object, ctx)
      if (!res.ok) return respond({ ok: false, status: res.status })
      return append({ ...base, type: 'NodeRegistered', data: { object: res.node } }, view.subjectRev, false, 201)
    }
    case 'update': {
      const current = view.current
      if (!current) return notFound(r.resource, w.name)
      const given = metaOf(r.object)?.resourceVersion
      const userRev = typeof given === 'string' && given !== ''
      if (userRev && given !== current.metadata?.resourceVersion) return conflict(r.resource, w.name)
      const expected = Number(current.metadata?.resourceVersion ?? view.subjectRev)
      const ctx = { namespace: ns, now: rfc3339(now), uid: w.uid, name: w.name }
      if (r.resource === 'pods') {
        const res = admitPodUpdate(current as Pod, r.object, ctx)
        if (!res.ok) return respond({ ok: false, status: res.status })
        if (sameObject(res.pod, current)) return respond({ ok: true, code: 200, object: current, rev: expected })
        return append({ ...base, type: 'PodUpdated', data: { object: res.pod } }, expected, userRev)
      }
      const res = admitNodeUpdate(current as Node, r.object, ctx)
      if (!res.ok) return respond({ ok: false, status: res.status })
      if (sameObject(res.node, current)) return respond({ ok: true, code: 200, object: current, rev: expected })
      return append({ ...base, type: 'NodeUpdated', data: { object: res.node } }, expected, userRev)
    }
    case 'updateStatus': {
      const current = view.current
      if (!current) return notFound(r.resource, w.name)
      const userRev = typeof r.resourceVersion === 'string' && r.resourceVersion !== ''
      if (userRev && r.resourceVersion !== current.metadata?.resourceVersion) return conflict(r.resource, w.name)
      if (typeof r.status !== 'object' || r.status === null || Array.isArray(r.status)) {
        return fail('BadRequest', 'status must be an object')
      }
      const expected = Number(current.metadata?.resourceVersion ?? view.subjectRev)
      if (deepEqual(r.status, current.status ?? {})) return respond({ ok: true, code: 200, object: current, rev: expected })
      const event: LogEvent =
        r.resource === 'pods'
          ? { ...base, type: 'PodStatusUpdated', data: { status: r.status as Pod['status'] & object } }
          : { ...base, type: 'NodeStatusUpdated', data: { status: r.status as Node['status'] & object } }
      return append(event, expected, userRev)
    }
    case 'bind': {
      const pod = view.current as Pod | undefined
      if (!pod) return notFound('pods', w.name)
      if (r.uid && pod.metadata?.uid !== r.uid) return conflict('pods', w.name)
      if (pod.metadata?.deletionTimestamp) return fail('Conflict', `pod ${w.name} is being deleted, cannot be assigned to a host`)
      if (pod.spec?.nodeName) {
        return fail('Conflict', `Operation cannot be fulfilled on pods/binding "${w.name}": pod ${w.name} is already assigned to node "${pod.spec.nodeName}"`)
      }
      if (!r.nodeName) return fail('Invalid', 'Binding.target.name: Required value')
      return append({ ...base, type: 'PodBound', data: { nodeName: r.nodeName } }, Number(pod.metadata?.resourceVersion), false, 201)
    }
    case 'delete': {
      const current = view.current
      if (!current) return notFound(r.resource, w.name)
      if (r.uid && current.metadata?.uid !== r.uid) return conflict(r.resource, w.name)
      const expected = Number(current.metadata?.resourceVersion ?? view.subjectRev)
      if (r.resource === 'nodes') return append({ ...base, type: 'NodeDeleted', data: {} }, expected)
      const pod = current as Pod
      const grace = r.gracePeriodSeconds ?? pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
      // An unbound pod has no process to stop, and a finished one none left: remove at once, as Kubernetes does.
      const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
      if (grace <= 0 || !pod.spec?.nodeName || finished) return append({ ...base, type: 'PodDeleted', data: {} }, expected)
      if (pod.metadata?.deletionTimestamp) return respond({ ok: true, code: 200, object: pod, rev: expected })
      return append(
        { ...base, type: 'PodDeletionRequested', data: { deletionTimestamp: rfc3339(now + grace * 1000), deletionGracePeriodSeconds: grace } },
        expected,
      )
    }
    default:
      return assertNever(r)
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled request ${JSON.stringify(x)}`)
}

export { KIND as RESOURCE_KIND }
