import type { Node, NodeCondition, NodeStatus, Taint } from 'kubernetes-types/core/v1.js'
import type { EnvelopesOf } from './envelope.js'

export interface NodeEventData {
  /** A kubelet registered its Node (first start, or after the Node object was deleted). */
  NodeRegistered: { object: Node }
  /** A user replaced the Node's spec/metadata (labels, taints, unschedulable). */
  NodeUpdated: { object: Node }
  /** The kubelet reported status (capacity, allocatable, conditions, addresses). */
  NodeStatusUpdated: { status: NodeStatus }
  NodeDeleted: Record<string, never>
  /** The node controller concluded new conditions (e.g. Ready → Unknown, reason NodeStatusUnknown). */
  NodeConditionChanged: { conditions: NodeCondition[]; reason: string }
  /** A taint was added to `spec.taints` (node controller: not-ready / unreachable NoExecute), replacing `replaced` when given (the swap of not-ready ↔ unreachable is one event). */
  NodeTainted: { taint: Taint; replaced?: { key: string; effect: string } }
  /** A taint was removed from `spec.taints`. */
  NodeUntainted: { key: string; effect: string }
}

export type NodeEvent = EnvelopesOf<NodeEventData>
export type NodeEventType = NodeEvent['type']

export const NODE_EVENT_TYPES = [
  'NodeRegistered',
  'NodeUpdated',
  'NodeStatusUpdated',
  'NodeDeleted',
  'NodeConditionChanged',
  'NodeTainted',
  'NodeUntainted',
] as const satisfies readonly NodeEventType[]
