import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import type { LogEvent, NodeEvent, PodEvent } from '../../events/index.js'

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
    default:
      return unreachable(e)
  }
}

/** The reducer for any log event, dispatched on the resource the event belongs to. */
export function reduceObject(obj: unknown, e: LogEvent, rev: number): unknown {
  return e.type.startsWith('Pod') ? reducePod(obj as Pod | undefined, e as PodEvent, rev) : reduceNode(obj as Node | undefined, e as NodeEvent, rev)
}
