import type { Pod } from 'kubernetes-types/core/v1.js'
import { success, unschedulable, type FilterPlugin } from '../framework.js'

/**
 * NodeSelector: every `spec.nodeSelector` label must be on the node with the same value. This is
 * the nodeSelector half of Kubernetes' NodeAffinity plugin (required node affinity terms are not
 * implemented yet), hence its reason text.
 */
export const nodeSelector = {
  name: 'NodeSelector',
  filter(pod: Pod, { labels }) {
    const selector = pod.spec?.nodeSelector
    if (!selector) return success
    for (const k in selector) {
      if (!Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== selector[k]) return unschedulable("node(s) didn't match Pod's node affinity/selector")
    }
    return success
  },
} satisfies FilterPlugin
