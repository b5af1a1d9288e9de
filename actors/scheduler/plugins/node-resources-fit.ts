import type { Pod } from 'kubernetes-types/core/v1.js'
import { success, unschedulable, type FilterPlugin, type ScorePlugin } from '../framework.js'
import { podNonZeroRequests, podRequests } from '../resources.js'
import { leastAllocatedScore } from './least-allocated.js'

/**
 * NodeResourcesFit (`noderesources/fit.go`) with the LeastAllocated scoring strategy, the
 * default profile's.
 *
 * Filter (`fitsRequest`): one more pod must stay within allocatable `pods`; then, unless the pod
 * requests nothing, each requested resource must fit in allocatable minus what the node's pods
 * already request. Every shortfall is a reason: `Too many pods`, `Insufficient cpu`,
 * `Insufficient memory`.
 *
 * Score: least allocated, counting requests with `GetNonzeroRequests` defaults (100m / 200Mi),
 * so pods without requests still spread.
 */
export const nodeResourcesFit = {
  name: 'NodeResourcesFit',
  filter(pod: Pod, info) {
    const reasons: string[] = []
    if (info.podCount + 1 > info.allocatable.pods) reasons.push('Too many pods')
    const req = podRequests(pod)
    if (req.milliCpu > 0 && req.milliCpu > info.allocatable.milliCpu - info.requested.milliCpu) reasons.push('Insufficient cpu')
    if (req.memory > 0 && req.memory > info.allocatable.memory - info.requested.memory) reasons.push('Insufficient memory')
    return reasons.length === 0 ? success : unschedulable(...reasons)
  },
  score(pod: Pod, info) {
    const req = podNonZeroRequests(pod)
    const requested = { milliCpu: info.nonZeroRequested.milliCpu + req.milliCpu, memory: info.nonZeroRequested.memory + req.memory }
    return leastAllocatedScore(requested, info.allocatable)
  },
} satisfies FilterPlugin & ScorePlugin
