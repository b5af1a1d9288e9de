import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Status } from 'kubernetes-types/meta/v1.js'
import {
  failureStatus,
  invalidStatus,
  logSubject,
  type ApiRequest,
  type ApiResponse,
  type LogEvent,
  type RequestContext,
  type Resource,
} from '../../events/index.js'
import { admitNodeCreate, admitNodeUpdate, admitPodCreate, admitPodUpdate, deepEqual } from './admission.js'
import { admitReplicaSetCreate, admitReplicaSetUpdate } from './admission-replicaset.js'
import type { TolerationSeconds } from './defaults.js'

/**
 * The api-server's decision for one write, as a pure function: what to append (with which
 * expected revision) or what to answer. The host looks up the current object and performs it.
 */

export interface ObjectView {
  /** The object as the projection has it now, absent if it does not exist (or was deleted). */
  current?: Pod | Node | ReplicaSet
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
  /** Admission configuration: `--default-not-ready-toleration-seconds` and `--default-unreachable-toleration-seconds`. */
  tolerationSeconds?: TolerationSeconds
  view: ObjectView
}

export type WritePlan =
  /** `userRev`: the expected revision came from the client, so a conflict is the client's 409, not a retry. */
  | { kind: 'append'; subject: string; expectedRev: number; event: LogEvent; userRev: boolean; code: number }
  | { kind: 'respond'; response: ApiResponse }

const KIND: Record<Resource, string> = { pods: 'Pod', nodes: 'Node', replicasets: 'ReplicaSet' }
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

type Obj = Pod | Node | ReplicaSet
type Admitted = { ok: true; object: Obj } | { ok: false; status: Status }
type Ctx = Parameters<typeof admitPodCreate>[1]

/** Per resource: how objects are admitted and which events record them. */
const RESOURCES: Record<
  Resource,
  {
    create(raw: unknown, ctx: Ctx): Admitted
    update(current: Obj, raw: unknown, ctx: Ctx): Admitted
    created: 'PodCreated' | 'NodeRegistered' | 'ReplicaSetCreated'
    updated: 'PodUpdated' | 'NodeUpdated' | 'ReplicaSetUpdated'
    statusUpdated: 'PodStatusUpdated' | 'NodeStatusUpdated' | 'ReplicaSetStatusUpdated'
    deleted: 'PodDeleted' | 'NodeDeleted' | 'ReplicaSetDeleted'
  }
> = {
  pods: {
    create: (raw, ctx) => asAdmitted(admitPodCreate(raw, ctx), (r) => r.pod),
    update: (cur, raw, ctx) => asAdmitted(admitPodUpdate(cur as Pod, raw, ctx), (r) => r.pod),
    created: 'PodCreated',
    updated: 'PodUpdated',
    statusUpdated: 'PodStatusUpdated',
    deleted: 'PodDeleted',
  },
  nodes: {
    create: (raw, ctx) => asAdmitted(admitNodeCreate(raw, ctx), (r) => r.node),
    update: (cur, raw, ctx) => asAdmitted(admitNodeUpdate(cur as Node, raw, ctx), (r) => r.node),
    created: 'NodeRegistered',
    updated: 'NodeUpdated',
    statusUpdated: 'NodeStatusUpdated',
    deleted: 'NodeDeleted',
  },
  replicasets: {
    create: (raw, ctx) => asAdmitted(admitReplicaSetCreate(raw, ctx), (r) => r.replicaSet),
    update: (cur, raw, ctx) => asAdmitted(admitReplicaSetUpdate(cur as ReplicaSet, raw, ctx), (r) => r.replicaSet),
    created: 'ReplicaSetCreated',
    updated: 'ReplicaSetUpdated',
    statusUpdated: 'ReplicaSetStatusUpdated',
    deleted: 'ReplicaSetDeleted',
  },
}

function asAdmitted<R extends { ok: true } | { ok: false; status: Status }>(r: R, pick: (ok: Extract<R, { ok: true }>) => Obj): Admitted {
  return r.ok ? { ok: true, object: pick(r as Extract<R, { ok: true }>) } : { ok: false, status: (r as { status: Status }).status }
}

const sameTaint = (t: { key?: string; effect?: string }, key: string, effect: string) => t.key === key && t.effect === effect

export function planWrite(w: WriteRequest): WritePlan {
  const { request: r, context, now, view } = w
  const ns = r.resource === 'nodes' ? undefined : (('namespace' in r ? r.namespace : undefined) ?? 'default')
  const subject = logSubject(r.resource, ns, w.name)
  const base = { v: 1, at: now, by: context.user, ...(context.cause ? { cause: context.cause } : {}) }
  const append = (event: LogEvent, expectedRev: number, userRev = false, code = 200): WritePlan => ({ kind: 'append', subject, expectedRev, event, userRev, code })
  const kind = RESOURCES[r.resource]
  const current = view.current
  const currentRev = current ? Number(current.metadata?.resourceVersion ?? view.subjectRev) : view.subjectRev
  const unchanged = (): WritePlan => respond({ ok: true, code: 200, object: current, rev: currentRev })

  switch (r.verb) {
    case 'create': {
      if (current) return fail('AlreadyExists', `${r.resource} "${w.name}" already exists`, { name: w.name, kind: r.resource })
      const res = kind.create(r.object, { namespace: ns, now: rfc3339(now), uid: w.uid, name: w.name, tolerationSeconds: w.tolerationSeconds })
      if (!res.ok) return respond(res)
      return append({ ...base, type: kind.created, data: { object: res.object } } as LogEvent, view.subjectRev, false, 201)
    }
    case 'update': {
      if (!current) return notFound(r.resource, w.name)
      const given = metaOf(r.object)?.resourceVersion
      const userRev = typeof given === 'string' && given !== ''
      if (userRev && given !== current.metadata?.resourceVersion) return conflict(r.resource, w.name)
      const res = kind.update(current, r.object, { namespace: ns, now: rfc3339(now), uid: w.uid, name: w.name, tolerationSeconds: w.tolerationSeconds })
      if (!res.ok) return respond(res)
      if (sameObject(res.object, current)) return unchanged()
      return append({ ...base, type: kind.updated, data: { object: res.object } } as LogEvent, currentRev, userRev)
    }
    case 'updateStatus': {
      if (!current) return notFound(r.resource, w.name)
      const userRev = typeof r.resourceVersion === 'string' && r.resourceVersion !== ''
      if (userRev && r.resourceVersion !== current.metadata?.resourceVersion) return conflict(r.resource, w.name)
      if (typeof r.status !== 'object' || r.status === null || Array.isArray(r.status)) return fail('BadRequest', 'status must be an object')
      if (deepEqual(r.status, current.status ?? {})) return unchanged()
      return append({ ...base, type: kind.statusUpdated, data: { status: r.status } } as LogEvent, currentRev, userRev)
    }
    case 'bind': {
      const pod = current as Pod | undefined
      if (!pod) return notFound('pods', w.name)
      if (r.uid && pod.metadata?.uid !== r.uid) return conflict('pods', w.name)
      if (pod.metadata?.deletionTimestamp) return fail('Conflict', `pod ${w.name} is being deleted, cannot be assigned to a host`)
      if (pod.spec?.nodeName) {
        return fail('Conflict', `Operation cannot be fulfilled on pods/binding "${w.name}": pod ${w.name} is already assigned to node "${pod.spec.nodeName}"`)
      }
      if (!r.nodeName) return fail('Invalid', 'Binding.target.name: Required value')
      return append({ ...base, type: 'PodBound', data: { nodeName: r.nodeName } }, currentRev, false, 201)
    }
    case 'delete': {
      if (!current) return notFound(r.resource, w.name)
      if (r.uid && current.metadata?.uid !== r.uid) return conflict(r.resource, w.name)
      if (r.resource !== 'pods') return append({ ...base, type: kind.deleted, data: {} } as LogEvent, currentRev)
      const pod = current as Pod
      const grace = r.gracePeriodSeconds ?? pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
      if (grace <= 0 || !needsGracefulStop(pod)) return append({ ...base, type: 'PodDeleted', data: {} }, currentRev)
      if (pod.metadata?.deletionTimestamp) return unchanged()
      return append({ ...base, type: 'PodDeletionRequested', data: { deletionTimestamp: rfc3339(now + grace * 1000), deletionGracePeriodSeconds: grace } }, currentRev)
    }
    case 'evict': {
      const pod = current as Pod | undefined
      if (!pod) return notFound('pods', w.name)
      if (r.uid && pod.metadata?.uid !== r.uid) return conflict('pods', w.name)
      if (pod.metadata?.deletionTimestamp) return unchanged()
      const grace = needsGracefulStop(pod) ? (pod.spec?.terminationGracePeriodSeconds ?? 30) : 0
      return append(
        { ...base, type: 'PodEvicted', data: { deletionTimestamp: rfc3339(now + grace * 1000), deletionGracePeriodSeconds: grace, reason: r.reason, message: r.message } },
        currentRev,
      )
    }
    case 'setNodeConditions': {
      const node = current as Node | undefined
      if (!node) return notFound('nodes', w.name)
      const have = node.status?.conditions ?? []
      if (r.conditions.every((c) => have.some((h) => deepEqual(h, c)))) return unchanged()
      return append({ ...base, type: 'NodeConditionChanged', data: { conditions: r.conditions, reason: r.reason } }, currentRev)
    }
    case 'taint': {
      const node = current as Node | undefined
      if (!node) return notFound('nodes', w.name)
      const taints = node.spec?.taints ?? []
      const add = r.add && !taints.some((t) => sameTaint(t, r.add!.key, r.add!.effect)) ? r.add : undefined
      const remove = r.remove && taints.some((t) => sameTaint(t, r.remove!.key, r.remove!.effect)) ? r.remove : undefined
      if (add) return append({ ...base, type: 'NodeTainted', data: { taint: add, ...(remove ? { replaced: remove } : {}) } }, currentRev)
      if (remove) return append({ ...base, type: 'NodeUntainted', data: remove }, currentRev)
      return unchanged()
    }
    case 'scale': {
      const rs = current as ReplicaSet | undefined
      if (!rs) return notFound('replicasets', w.name)
      if (!Number.isInteger(r.replicas) || r.replicas < 0) {
        return respond({ ok: false, status: invalidStatus('Scale', w.name, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${r.replicas}: must be greater than or equal to 0` }]) })
      }
      if (rs.spec?.replicas === r.replicas) return unchanged()
      return append({ ...base, type: 'ReplicaSetScaled', data: { replicas: r.replicas } }, currentRev)
    }
    default:
      return assertNever(r)
  }
}

/** A pod bound to a node and not finished has processes the kubelet must stop first. */
function needsGracefulStop(pod: Pod): boolean {
  const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
  return !!pod.spec?.nodeName && !finished
}

function assertNever(x: never): never {
  throw new Error(`unhandled request ${JSON.stringify(x)}`)
}

export { KIND as RESOURCE_KIND }
