import type { LogEvent } from '../../events/index.js'

/**
 * One line saying what an event did, for `kstate why`: `scheduled on node-3`,
 * `Ready=Unknown (NodeStatusUnknown)`, `tainted node.kubernetes.io/unreachable:NoExecute`.
 * Exhaustive: a new event type fails to compile until it is described.
 */
export function describeEvent(e: LogEvent): string {
  switch (e.type) {
    case 'PodCreated': {
      const owner = e.data.object.metadata?.ownerReferences?.find((o) => o.controller) ?? e.data.object.metadata?.ownerReferences?.[0]
      return owner ? `created by ${owner.kind} ${owner.name}` : 'created'
    }
    case 'PodUpdated':
    case 'NodeUpdated':
    case 'ReplicaSetUpdated':
      return 'updated'
    case 'PodBound':
      return `scheduled on ${e.data.nodeName}`
    case 'PodStatusUpdated': {
      const s = e.data.status
      const ready = s.conditions?.find((c) => c.type === 'Ready')
      const states = (s.containerStatuses ?? []).map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).filter((r): r is string => !!r)
      return [s.phase ?? 'Unknown', ...(ready ? [`Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}`] : []), ...states].join(', ')
    }
    case 'PodDeletionRequested':
      return `deletion requested (grace period ${e.data.deletionGracePeriodSeconds}s)`
    case 'PodDeleted':
    case 'NodeDeleted':
    case 'ReplicaSetDeleted':
      return 'deleted'
    case 'PodEvicted':
      return `evicted (${e.data.reason}): ${e.data.message}`
    case 'NodeRegistered':
      return 'registered'
    case 'NodeStatusUpdated': {
      const ready = e.data.status.conditions?.find((c) => c.type === 'Ready')
      return ready ? `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}` : 'status reported'
    }
    case 'NodeConditionChanged':
      return `${e.data.conditions.map((c) => `${c.type}=${c.status}`).join(', ')} (${e.data.reason})`
    case 'NodeTainted': {
      const t = e.data.taint
      return `tainted ${t.key}:${t.effect}${e.data.replaced ? ` (replacing ${e.data.replaced.key}:${e.data.replaced.effect})` : ''}`
    }
    case 'NodeUntainted':
      return `untainted ${e.data.key}:${e.data.effect}`
    case 'ReplicaSetCreated':
      return `created (replicas ${e.data.object.spec?.replicas ?? 1})`
    case 'ReplicaSetScaled':
      return `scaled to ${e.data.replicas}`
    case 'ReplicaSetStatusUpdated': {
      const s = e.data.status
      return `replicas ${s.replicas ?? 0}, ready ${s.readyReplicas ?? 0}, available ${s.availableReplicas ?? 0}`
    }
    case 'FaultInjected':
      return `fault ${e.data.id} injected: ${e.data.fault.kind}${e.data.forMs ? ` for ${e.data.forMs} ms` : ''}`
    case 'FaultCleared':
      return `fault ${e.data.id} cleared (${e.data.reason})`
    default:
      return unreachable(e)
  }
}

function unreachable(e: never): never {
  throw new Error(`no description for ${JSON.stringify(e)}`)
}

/** Events that bring an object into existence: its history starts again there. */
export const isCreation = (type: string) => type === 'PodCreated' || type === 'NodeRegistered' || type === 'ReplicaSetCreated'
/** Reports that replace a status: a run saying the same thing is one fact. */
export const isStatusReport = (type: string) => type.endsWith('StatusUpdated')
