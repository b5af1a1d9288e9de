import type { Resources } from '../resources.js'
import { MAX_NODE_SCORE } from '../framework.js'

/**
 * The LeastAllocated scoring strategy of NodeResourcesFit (`noderesources/least_allocated.go`):
 * per resource `(allocatable - requested) * 100 / allocatable` in integer arithmetic, 0 when the
 * request exceeds what is allocatable; resources the node does not offer are skipped; the node's
 * score is the weighted average (cpu and memory, weight 1 each), rounded down.
 */
export function leastRequestedScore(requested: number, allocatable: number): number {
  if (allocatable === 0 || requested > allocatable) return 0
  return Math.floor(((allocatable - requested) * MAX_NODE_SCORE) / allocatable)
}

export const LEAST_ALLOCATED_WEIGHTS: Readonly<Record<keyof Resources, number>> = { milliCpu: 1, memory: 1 }

/** `requested` must already include the incoming pod (the node's non-zero requests plus the pod's). */
export function leastAllocatedScore(requested: Resources, allocatable: Resources, weights = LEAST_ALLOCATED_WEIGHTS): number {
  let score = 0
  let weightSum = 0
  for (const r of ['milliCpu', 'memory'] as const) {
    if (allocatable[r] === 0) continue
    score += leastRequestedScore(requested[r], allocatable[r]) * weights[r]
    weightSum += weights[r]
  }
  return weightSum === 0 ? 0 : Math.floor(score / weightSum)
}
