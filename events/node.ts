import type { Node, NodeStatus } from 'kubernetes-types/core/v1.js'
import type { EnvelopesOf } from './envelope.js'

export interface NodeEventData {
  /** A kubelet registered its Node (first start, or after the Node object was deleted). */
  NodeRegistered: { object: Node }
  /** A user replaced the Node's spec/metadata (labels, taints, unschedulable). */
  NodeUpdated: { object: Node }
  /** The kubelet reported status (capacity, allocatable, conditions, addresses). */
  NodeStatusUpdated: { status: NodeStatus }
  NodeDeleted: Record<string, never>
}

export type NodeEvent = EnvelopesOf<NodeEventData>
export type NodeEventType = NodeEvent['type']

export const NODE_EVENT_TYPES = [
  'NodeRegistered',
  'NodeUpdated',
  'NodeStatusUpdated',
  'NodeDeleted',
] as const satisfies readonly NodeEventType[]
