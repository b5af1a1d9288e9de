import type { Taint, Toleration } from 'kubernetes-types/core/v1.js'

/**
 * Whether tolerations match taints (k8s.io/api/core/v1 `toleration.go`, `taint.go`): shared by the
 * scheduler's TaintToleration filter and the taint-eviction controller, which must agree on it.
 */

/**
 * `Toleration.ToleratesTaint`, rule for rule: an empty effect matches every effect; an empty key
 * matches every key (validation allows that only with `Exists`); `Exists` matches any value;
 * `Equal`, or no operator, needs equal values; any other operator matches nothing.
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

/** `FindMatchingUntoleratedTaint`: the first taint, in the node's order, that passes `filter` and is not tolerated. */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, filter: (t: Taint) => boolean): Taint | undefined {
  return (taints ?? []).find((t) => filter(t) && !tolerationsTolerateTaint(tolerations, t))
}
