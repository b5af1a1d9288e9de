import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Node, NodeCondition, Pod, PodCondition, Taint } from 'kubernetes-types/core/v1.js'
import { isFaultEvent, type LogEvent, type NodeEvent, type PodEvent, type ReplicaSetEvent } from '../../events/index.js'

/**
 * Pure reducers: `(object before, event, revision) → object after` (undefined = absent). They
 * never mutate their input, so a watcher holding the previous object keeps it intact.
 * `metadata.resourceVersion` is the revision of the last event applied.
 */

const withRev = <T extends { metadata?: object }>(obj: T, rev: number): T => ({
  ...obj,
  metadata: { ...obj.metadata, resourceVersion: String(rev) },
})

function setCondition(conditions: PodCondition[] | undefined, c: PodCondition): PodCondition[] {
  const rest = (conditions ?? []).filter((x) => x.type !== c.type)
  return [...rest, c]
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

export function reducePod(pod: Pod | undefined, e: PodEvent, rev: number): Pod | undefined {
  switch (e.type) {
    case 'PodCreated':
    case 'PodUpdated':
      return withRev(e.data.object, rev)
    case 'PodBound': {
      if (!pod) return undefined
      const at = new Date(e.at).toISOString().replace(/\.\d{3}Z$/, 'Z')
      return withRev(
        {
          ...pod,
          spec: { ...pod.spec!, nodeName: e.data.nodeName },
          status: { ...pod.status, conditions: setCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'True', lastTransitionTime: at }) },
        },
        rev,
      )
    }
    case 'PodStatusUpdated':
      return pod && withRev({ ...pod, status: e.data.status }, rev)
    case 'PodDeletionRequested':
      return (
        pod &&
        withRev(
          {
            ...pod,
            metadata: { ...pod.metadata, deletionTimestamp: e.data.deletionTimestamp, deletionGracePeriodSeconds: e.data.deletionGracePeriodSeconds },
          },
          rev,
        )
      )
    case 'PodDeleted':
      return undefined
    case 'PodEvicted': {
      if (!pod) return undefined
      // An unbound or finished pod has no process to stop: eviction removes it at once.
      if (e.data.deletionGracePeriodSeconds <= 0) return undefined
      const at = new Date(e.at).toISOString().replace(/\.\d{3}Z$/, 'Z')
      return withRev(
        {
          ...pod,
          metadata: { ...pod.metadata, deletionTimestamp: e.data.deletionTimestamp, deletionGracePeriodSeconds: e.data.deletionGracePeriodSeconds },
          status: {
            ...pod.status,
            conditions: setCondition(pod.status?.conditions, { type: 'DisruptionTarget', status: 'True', reason: e.data.reason, message: e.data.message, lastTransitionTime: at }),
          },
        },
        rev,
      )
    }
    default:
      return unreachable(e)
  }
}

export function reduceNode(node: Node | undefined, e: NodeEvent, rev: number): Node | undefined {
  switch (e.type) {
    case 'NodeRegistered':
    case 'NodeUpdated':
      return withRev(e.data.object, rev)
    case 'NodeStatusUpdated':
      return node && withRev({ ...node, status: e.data.status }, rev)
    case 'NodeDeleted':
      return undefined
    case 'NodeConditionChanged':
      return node && withRev({ ...node, status: { ...node.status, conditions: mergeConditions(node.status?.conditions, e.data.conditions) } }, rev)
    case 'NodeTainted': {
      if (!node) return undefined
      const { taint, replaced } = e.data
      const kept = (node.spec?.taints ?? []).filter((t) => !sameTaint(t, taint.key, taint.effect) && !(replaced && sameTaint(t, replaced.key, replaced.effect)))
      return withRev({ ...node, spec: { ...node.spec, taints: [...kept, taint] } }, rev)
    }
    case 'NodeUntainted': {
      if (!node) return undefined
      const taints = (node.spec?.taints ?? []).filter((t) => !sameTaint(t, e.data.key, e.data.effect))
      const { taints: _drop, ...spec } = node.spec ?? {}
      return withRev({ ...node, spec: taints.length > 0 ? { ...spec, taints } : spec }, rev)
    }
    default:
      return unreachable(e)
  }
}

export function reduceReplicaSet(rs: ReplicaSet | undefined, e: ReplicaSetEvent, rev: number): ReplicaSet | undefined {
  switch (e.type) {
    case 'ReplicaSetCreated':
    case 'ReplicaSetUpdated':
      return withRev(e.data.object, rev)
    case 'ReplicaSetScaled':
      return (
        rs &&
        withRev({ ...rs, metadata: { ...rs.metadata, generation: (rs.metadata?.generation ?? 1) + 1 }, spec: { ...rs.spec!, replicas: e.data.replicas } }, rev)
      )
    case 'ReplicaSetStatusUpdated':
      return rs && withRev({ ...rs, status: e.data.status }, rev)
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
