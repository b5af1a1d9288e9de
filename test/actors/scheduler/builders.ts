import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import { addPod, newNodeInfo, type NodeInfo } from '../../../actors/scheduler/framework.js'

/** Test objects, shaped as the api-server stores them. */

export interface NodeOpts {
  cpu?: string
  memory?: string
  pods?: string
  /** Ready condition status; `null` for no condition at all. */
  ready?: 'True' | 'False' | 'Unknown' | null
  unschedulable?: boolean
  taints?: Taint[]
  labels?: Record<string, string>
}

export function node(name: string, o: NodeOpts = {}): Node {
  const allocatable: Record<string, string> = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi' }
  if (o.pods !== undefined) allocatable.pods = o.pods
  const ready = o.ready === undefined ? 'True' : o.ready
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-node-${name}`, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.unschedulable ? { unschedulable: true } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    status: { allocatable, capacity: allocatable, conditions: ready === null ? [] : [{ type: 'Ready', status: ready }] },
  }
}

export interface PodOpts {
  namespace?: string
  uid?: string
  cpu?: string
  memory?: string
  limitsCpu?: string
  limitsMemory?: string
  nodeName?: string
  tolerations?: Toleration[]
  nodeSelector?: Record<string, string>
  schedulerName?: string
  priority?: number
  deleting?: boolean
  phase?: string
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {}
  const limits: Record<string, string> = {}
  if (o.cpu) requests.cpu = o.cpu
  if (o.memory) requests.memory = o.memory
  if (o.limitsCpu) limits.cpu = o.limitsCpu
  if (o.limitsMemory) limits.memory = o.limitsMemory
  const resources = { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: o.uid ?? `uid-${name}`,
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'main', image: 'busybox', resources }],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.schedulerName ? { schedulerName: o.schedulerName } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
    },
    status: { phase: o.phase ?? 'Pending' },
  }
}

/** A NodeInfo with `pods` counted on it. */
export function info(n: Node, pods: Pod[] = []): NodeInfo {
  const i = newNodeInfo(n)
  for (const p of pods) addPod(i, p)
  return i
}
