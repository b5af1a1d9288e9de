import type { Pod, Taint } from 'kubernetes-types/core/v1.js'
import { findUntoleratedTaint } from '../../lib/tolerations.js'
import { success, unschedulable, type FilterPlugin } from '../framework.js'

/** Taints the scheduler enforces: `NoSchedule` and `NoExecute` (`PreferNoSchedule` only scores). */
export const doNotScheduleTaint = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute'

/** TaintToleration: the pod must tolerate every NoSchedule and NoExecute taint of the node (matcher: `actors/lib/tolerations.ts`). */
export const taintToleration = {
  name: 'TaintToleration',
  filter(pod: Pod, { taints }) {
    if (taints.length === 0) return success
    const taint = findUntoleratedTaint(taints, pod.spec?.tolerations, doNotScheduleTaint)
    return taint ? unschedulable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`) : success
  },
} satisfies FilterPlugin
