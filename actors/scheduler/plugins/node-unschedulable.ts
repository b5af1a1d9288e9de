import type { Pod } from 'kubernetes-types/core/v1.js'
import { success, unschedulable, type FilterPlugin } from '../framework.js'
import { tolerationsTolerateTaint } from '../../lib/tolerations.js'

/** The taint a cordoned node is treated as having (`v1.TaintNodeUnschedulable`). */
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable'

/** NodeUnschedulable: a cordoned node (`spec.unschedulable`) takes only pods that tolerate `node.kubernetes.io/unschedulable:NoSchedule`. */
export const nodeUnschedulable = {
  name: 'NodeUnschedulable',
  filter(pod: Pod, { unschedulable: cordoned }) {
    if (!cordoned) return success
    const tolerated = tolerationsTolerateTaint(pod.spec?.tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' })
    return tolerated ? success : unschedulable('node(s) were unschedulable')
  },
} satisfies FilterPlugin
