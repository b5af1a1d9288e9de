import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import { success, unschedulable, type FilterPlugin } from '../framework.js'

/**
 * `Toleration.ToleratesTaint` (k8s.io/api/core/v1), rule for rule:
 * an empty effect matches every effect; an empty key matches every key (validation allows that
 * only with `Exists`); `Exists` matches any value; `Equal`, or no operator, needs equal values;
 * any other operator matches nothing.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false
  if (toleration.key && toleration.key !== taint.key) return false
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '')
    case 'Exists':
      return true
    default:
      return false
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint))
}

/** Taints the scheduler enforces: `NoSchedule` and `NoExecute` (`PreferNoSchedule` only scores). */
export const doNotScheduleTaint = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute'

/** `FindMatchingUntoleratedTaint`: the first taint, in the node's order, that passes `filter` and is not tolerated. */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, filter: (t: Taint) => boolean): Taint | undefined {
  return (taints ?? []).find((t) => filter(t) && !tolerationsTolerateTaint(tolerations, t))
}

/** TaintToleration: the pod must tolerate every NoSchedule and NoExecute taint of the node. */
export const taintToleration = {
  name: 'TaintToleration',
  filter(pod: Pod, { node }) {
    const taint = findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, doNotScheduleTaint)
    return taint ? unschedulable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`) : success
  },
} satisfies FilterPlugin
