import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { success, unschedulable, type FilterPlugin } from '../framework.js'
import { tolerationsTolerateTaint } from '../../lib/tolerations.js'

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready'
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable'

/**
 * NodeReady (kstate-specific): the node's `Ready` condition must be `True`.
 *
 * Kubernetes has no such filter: the kubelet registers its Node with the
 * `node.kubernetes.io/not-ready:NoSchedule` taint and the node lifecycle controller keeps the
 * not-ready / unreachable taints in step with the Ready condition, so TaintToleration does the job.
 * In kstate the condition change and the taint are separate log events written by separate actors
 * (the kubelet's status, then the Node Controller's `NodeTainted`), and the scheduler also runs
 * without a Node Controller (tests, scheduler-only simulations). Checking the condition itself
 * closes that window. A pod that tolerates the taint the Node Controller would set
 * (`unreachable` for Unknown; `not-ready` for False, or for no condition yet as the kubelet's
 * registration taint) passes, as it would pass
 * TaintToleration in Kubernetes — DaemonSet-style pods keep working.
 */
export const nodeReady = {
  name: 'NodeReady',
  filter(pod: Pod, { ready: status }) {
    if (status === 'True') return success
    const key = status === 'Unknown' ? TAINT_NODE_UNREACHABLE : TAINT_NODE_NOT_READY
    return tolerationsTolerateTaint(pod.spec?.tolerations, { key, effect: 'NoSchedule' }) ? success : unschedulable('node(s) were not ready')
  },
} satisfies FilterPlugin

/** The Ready condition's status: `True`, `False`, `Unknown`, or undefined before the kubelet reported one. */
export function readyStatus(node: Node): string | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status
}
