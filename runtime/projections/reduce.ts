import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Node, NodeCondition, Pod, PodCondition, Taint } from 'kubernetes-types/core/v1.js'
import { isFaultEvent, type LogEvent, type NodeEvent, type PodEvent, type ReplicaSetEvent } from '../../events/index.js'

/**
 * Pure reducers: `(object before, event, revision) → object after` (undefined = absent). They
 * never mutate their input, so a watcher holding the previous object keeps it intact.
 * `metadata.resourceVersion` is the revision of the last event applied.
 *
 * `owned`: the caller owns the object before and the event, and everything reachable from them —
 * a catch-up replay building an object from events it decoded itself, before anyone can see it
 * (`catch-up.ts`). The reducer then changes them in place instead of copying: the same result,
 * without the garbage. The default is pure.
 */

/** kubernetes-types marks server-set fields readonly; reducers are the server. */
type Writable<T> = { -readonly [K in keyof T]: T[K] }

/** A version of `o` the reducer may write: `o` itself when owned, a shallow copy otherwise. */
function writable<T extends object>(o: T | undefined, owned: boolean): Writable<T> {
  return (owned && o ? o : { ...o }) as Writable<T>
}

/** Sets `metadata.resourceVersion` on `next`, which the reducer already made writable. */
function stamp<T extends { metadata?: object }>(next: T, rev: number, owned: boolean): T {
  const metadata = writable(next.metadata, owned) as { resourceVersion?: string }
  metadata.resourceVersion = String(rev)
  next.metadata = metadata
  return next
}

/** `obj` with its status replaced wholesale: a kubelet's or a controller's status post. */
function withStatus<T extends { metadata?: object; status?: unknown }>(obj: T | undefined, status: T['status'], rev: number, owned: boolean): T | undefined {
  if (!obj) return undefined
  const next = writable(obj, owned)
  next.status = status
  return stamp(next as T, rev, owned)
}

/** Graceful deletion begun: the pod's metadata says when and with which grace period. */
function deleting(pod: Pod, d: { deletionTimestamp: string; deletionGracePeriodSeconds: number }, owned: boolean): Writable<Pod> {
  const next = writable(pod, owned)
  const metadata = writable(pod.metadata, owned)
  metadata.deletionTimestamp = d.deletionTimestamp
  metadata.deletionGracePeriodSeconds = d.deletionGracePeriodSeconds
  next.metadata = metadata
  return next
}

/** Kubernetes' condition timestamps: RFC 3339 to the second. One-entry cache: events come in bursts within a second. */
let lastSecond = NaN
let lastSecondText = ''
function rfc3339Seconds(ms: number): string {
  const second = Math.floor(ms / 1000)
  if (second !== lastSecond) {
    lastSecond = second
    lastSecondText = new Date(second * 1000).toISOString().replace('.000Z', 'Z')
  }
  return lastSecondText
}

function setCondition(conditions: PodCondition[] | undefined, c: PodCondition): PodCondition[] {
  const rest = (conditions ?? []).filter((x) => x.type !== c.type)
  rest.push(c)
  return rest
}

/** Conditions of the same type are replaced in place, others kept, new ones appended. */
function mergeConditions(current: NodeCondition[] | undefined, next: NodeCondition[]): NodeCondition[] {
  const byType = new Map(next.map((c) => [c.type, c]))
  const merged = (current ?? []).map((c) => byType.get(c.type) ?? c)
  for (const c of next) if (!(current ?? []).some((x) => x.type === c.type)) merged.push(c)
  return merged
}

const sameTaint = (t: Taint, key: string, effect: string) => t.key === key && t.effect === effect

const unreachable = (x: never): never => {
  throw new Error(`unhandled event ${JSON.stringify(x)}`)
}

export function reducePod(pod: Pod | undefined, e: PodEvent, rev: number, owned = false): Pod | undefined {
  switch (e.type) {
    case 'PodCreated':
    case 'PodUpdated':
      return stamp(writable(e.data.object, owned), rev, owned)
    case 'PodBound': {
      if (!pod) return undefined
      const next = writable(pod, owned)
      const spec = writable(pod.spec, owned)
      spec.nodeName = e.data.nodeName
      next.spec = spec
      const status = writable(pod.status, owned)
      status.conditions = setCondition(status.conditions, { type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339Seconds(e.at) })
      next.status = status
      return stamp(next, rev, owned)
    }
    case 'PodStatusUpdated':
      return withStatus(pod, e.data.status, rev, owned)
    case 'PodDeletionRequested':
      return pod && stamp(deleting(pod, e.data, owned), rev, true) // metadata is already this reducer's copy
    case 'PodDeleted':
      return undefined
    case 'PodEvicted': {
      if (!pod) return undefined
      // An unbound or finished pod has no process to stop: eviction removes it at once.
      if (e.data.deletionGracePeriodSeconds <= 0) return undefined
      const next = deleting(pod, e.data, owned)
      const status = writable(pod.status, owned)
      const disruption: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: e.data.reason, message: e.data.message, lastTransitionTime: rfc3339Seconds(e.at) }
      status.conditions = setCondition(status.conditions, disruption)
      next.status = status
      return stamp(next, rev, true)
    }
    default:
      return unreachable(e)
  }
}

export function reduceNode(node: Node | undefined, e: NodeEvent, rev: number, owned = false): Node | undefined {
  switch (e.type) {
    case 'NodeRegistered':
    case 'NodeUpdated':
      return stamp(writable(e.data.object, owned), rev, owned)
    case 'NodeStatusUpdated':
      return withStatus(node, e.data.status, rev, owned)
    case 'NodeDeleted':
      return undefined
    case 'NodeConditionChanged': {
      if (!node) return undefined
      const next = writable(node, owned)
      const status = writable(node.status, owned)
      status.conditions = mergeConditions(status.conditions, e.data.conditions)
      next.status = status
      return stamp(next, rev, owned)
    }
    case 'NodeTainted': {
      if (!node) return undefined
      const { taint, replaced } = e.data
      const kept = (node.spec?.taints ?? []).filter((t) => !sameTaint(t, taint.key, taint.effect) && !(replaced && sameTaint(t, replaced.key, replaced.effect)))
      kept.push(taint)
      const next = writable(node, owned)
      const spec = writable(node.spec, owned)
      spec.taints = kept
      next.spec = spec
      return stamp(next, rev, owned)
    }
    case 'NodeUntainted': {
      if (!node) return undefined
      const taints = (node.spec?.taints ?? []).filter((t) => !sameTaint(t, e.data.key, e.data.effect))
      const next = writable(node, owned)
      const spec = writable(node.spec, owned)
      if (taints.length > 0) spec.taints = taints
      else delete spec.taints
      next.spec = spec
      return stamp(next, rev, owned)
    }
    default:
      return unreachable(e)
  }
}

export function reduceReplicaSet(rs: ReplicaSet | undefined, e: ReplicaSetEvent, rev: number, owned = false): ReplicaSet | undefined {
  switch (e.type) {
    case 'ReplicaSetCreated':
    case 'ReplicaSetUpdated':
      return stamp(writable(e.data.object, owned), rev, owned)
    case 'ReplicaSetScaled': {
      if (!rs) return undefined
      const next = writable(rs, owned)
      const metadata = writable(rs.metadata, owned)
      metadata.generation = (rs.metadata?.generation ?? 1) + 1
      next.metadata = metadata
      const spec = writable(rs.spec, owned)
      spec.replicas = e.data.replicas
      next.spec = spec as ReplicaSet['spec']
      return stamp(next, rev, true)
    }
    case 'ReplicaSetStatusUpdated':
      return withStatus(rs, e.data.status, rev, owned)
    case 'ReplicaSetDeleted':
      return undefined
    default:
      return unreachable(e)
  }
}

/** The reducer for any log event, dispatched on the resource the event belongs to. */
export function reduceObject(obj: unknown, e: LogEvent, rev: number): unknown {
  if (isFaultEvent(e)) return obj // chaos records change no object
  if (e.type.startsWith('Pod')) return reducePod(obj as Pod | undefined, e as PodEvent, rev)
  if (e.type.startsWith('Node')) return reduceNode(obj as Node | undefined, e as NodeEvent, rev)
  return reduceReplicaSet(obj as ReplicaSet | undefined, e as ReplicaSetEvent, rev)
}
