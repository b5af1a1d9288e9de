import type { Pod } from 'kubernetes-types/core/v1.js'
import { success, unschedulable, type FilterPlugin } from '../framework.js'

/** NodeName: a pod that names a node (`spec.nodeName`) fits that node only. */
export const nodeName = {
  name: 'NodeName',
  filter(pod: Pod, { name }) {
    const wanted = pod.spec?.nodeName
    return !wanted || wanted === name ? success : unschedulable("node(s) didn't match the requested node name")
  },
} satisfies FilterPlugin
