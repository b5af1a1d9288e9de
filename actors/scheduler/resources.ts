import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js'
import { parseQuantityValue, toMilli as quantityMilli, toNumber as quantityNumber } from '../api-server/quantity.js'

/**
 * Resource arithmetic of the scheduler: pod requests as `k8s.io/component-helpers/resource.PodRequests`
 * computes them, node allocatable, over the api-server's quantity parser.
 */

/** Amounts the scheduler fits and scores: cpu in milli-units, memory in bytes. */
export interface Resources {
  milliCpu: number
  memory: number
}

/**
 * Milli-units rounded up (`MilliValue()`). A malformed quantity counts 0: admission rejects it
 * before it reaches the log, and the scheduler never throws on a stored object.
 */
export function toMilli(q: unknown): number {
  if (q === undefined) return 0
  try {
    return quantityMilli(parseQuantityValue(q))
  } catch {
    return 0
  }
}

/** Units rounded up (`Value()`): bytes for memory, a count for pods; 0 when malformed, as `toMilli`. */
export function toNumber(q: unknown): number {
  if (q === undefined) return 0
  try {
    return quantityNumber(parseQuantityValue(q))
  } catch {
    return 0
  }
}

/** `schedutil.DefaultMilliCPURequest` / `DefaultMemoryRequest`: what scoring counts for a container that requests nothing. */
export const DEFAULT_MILLI_CPU_REQUEST = 100
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
/** Pods a node accepts when its status names no `pods` allocatable (the kubelet's `--max-pods` default). */
export const DEFAULT_MAX_PODS = 110

export const zero = (): Resources => ({ milliCpu: 0, memory: 0 })
const add = (a: Resources, b: Resources): Resources => ({ milliCpu: a.milliCpu + b.milliCpu, memory: a.memory + b.memory })
const max = (a: Resources, b: Resources): Resources => ({ milliCpu: Math.max(a.milliCpu, b.milliCpu), memory: Math.max(a.memory, b.memory) })

/**
 * One container's requests. API defaulting copies limits into missing requests, so a limit
 * without a request counts as the request. `nonZero` applies `GetNonzeroRequests`' defaults to a
 * resource the container does not name at all (an explicit `0` stays 0).
 */
function containerRequests(c: Container, nonZero: boolean): Resources {
  const requests = c.resources?.requests ?? {}
  const limits = c.resources?.limits ?? {}
  const cpu = requests.cpu ?? limits.cpu
  const memory = requests.memory ?? limits.memory
  return {
    milliCpu: cpu !== undefined ? toMilli(cpu) : nonZero ? DEFAULT_MILLI_CPU_REQUEST : 0,
    memory: memory !== undefined ? toNumber(memory) : nonZero ? DEFAULT_MEMORY_REQUEST : 0,
  }
}

/**
 * `resource.PodRequests`: the sum over containers, then the max with each init container (an init
 * container runs alone, after the sidecars started before it); sidecars (init containers with
 * `restartPolicy: Always`) run beside the app containers and add to the sum; plus pod overhead.
 */
function computePodRequests(pod: Pod, nonZero: boolean): Resources {
  let reqs = (pod.spec?.containers ?? []).reduce((sum, c) => add(sum, containerRequests(c, nonZero)), zero())
  let sidecars = zero()
  let initMax = zero()
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero)
    if (c.restartPolicy === 'Always') {
      reqs = add(reqs, r)
      sidecars = add(sidecars, r)
      initMax = max(initMax, sidecars)
    } else {
      initMax = max(initMax, add(r, sidecars))
    }
  }
  reqs = max(reqs, initMax)
  const overhead = pod.spec?.overhead
  if (overhead) reqs = add(reqs, { milliCpu: toMilli(overhead.cpu), memory: toNumber(overhead.memory) })
  return reqs
}

// Pods and Nodes in the scheduler's context are never mutated (a change is a new object), so the
// derived amounts are cached per object.
const fitCache = new WeakMap<Pod, Resources>()
const nonZeroCache = new WeakMap<Pod, Resources>()
const allocatableCache = new WeakMap<Node, Allocatable>()

/** What the pod requests, for the fit filter: a pod that requests nothing counts 0. */
export function podRequests(pod: Pod): Resources {
  let r = fitCache.get(pod)
  if (!r) fitCache.set(pod, (r = computePodRequests(pod, false)))
  return r
}

/** What the pod requests for scoring: missing requests count 100m cpu and 200Mi memory. */
export function podNonZeroRequests(pod: Pod): Resources {
  let r = nonZeroCache.get(pod)
  if (!r) nonZeroCache.set(pod, (r = computePodRequests(pod, true)))
  return r
}

export interface Allocatable extends Resources {
  pods: number
}

/** `status.allocatable` (falling back to `status.capacity` when the kubelet reported only that); `pods` defaults to 110. */
export function nodeAllocatable(node: Node): Allocatable {
  let a = allocatableCache.get(node)
  if (!a) {
    const src = node.status?.allocatable ?? node.status?.capacity ?? {}
    a = { milliCpu: toMilli(src.cpu), memory: toNumber(src.memory), pods: src.pods !== undefined ? toNumber(src.pods) : DEFAULT_MAX_PODS }
    allocatableCache.set(node, a)
  }
  return a
}
