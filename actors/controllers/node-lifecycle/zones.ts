import type { Node } from 'kubernetes-types/core/v1.js'

/**
 * Zones and tainting rates of the Node Lifecycle Controller, as pure functions over plain data
 * (Kubernetes 1.32 `pkg/controller/nodelifecycle`: `ComputeZoneState`, `ReducedQPSFunc`,
 * `HealthyQPSFunc`, `setLimiterInZone`; `scheduler/rate_limited_queue.go`: `SwapLimiter`;
 * client-go `flowcontrol.NewTokenBucketRateLimiter`).
 */

/** `topology.kubernetes.io/zone` and its deprecated beta name, which Kubernetes reads first. */
export const LABEL_ZONE = 'topology.kubernetes.io/zone'
export const LABEL_REGION = 'topology.kubernetes.io/region'
export const LABEL_ZONE_BETA = 'failure-domain.beta.kubernetes.io/zone'
export const LABEL_REGION_BETA = 'failure-domain.beta.kubernetes.io/region'
/** A node with this label is left out of the zone counts (`isNodeExcludedFromDisruptionChecks`). */
export const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption'

/**
 * The zone key of a node (`GetZoneKey`): `region:zone`, or `''` when the node has neither label.
 * Kubernetes separates the two with `":\x00:"` in case a value holds a colon; label values
 * cannot (`[A-Za-z0-9_.-]`), so a plain colon is unambiguous and prints well in logs.
 */
export function zoneOf(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return ''
  const zone = labels[LABEL_ZONE_BETA] ?? labels[LABEL_ZONE] ?? ''
  const region = labels[LABEL_REGION_BETA] ?? labels[LABEL_REGION] ?? ''
  return region === '' && zone === '' ? '' : `${region}:${zone}`
}

export const nodeZone = (node: Node): string => zoneOf(node.metadata?.labels)
export const isExcludedFromDisruption = (node: Node): boolean => Object.prototype.hasOwnProperty.call(node.metadata?.labels ?? {}, LABEL_EXCLUDE_DISRUPTION)

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption'

/**
 * `ComputeZoneState`: FullDisruption when no node of the zone is Ready; PartialDisruption when
 * more than 2 are not Ready and they are at least `unhealthyZoneThreshold` of the zone; Normal
 * otherwise. `unhealthy` is the number of not-Ready nodes.
 */
export function computeZoneState(readyCount: number, notReadyCount: number, unhealthyZoneThreshold: number): { unhealthy: number; state: ZoneState } {
  if (readyCount === 0 && notReadyCount > 0) return { unhealthy: notReadyCount, state: 'FullDisruption' }
  if (notReadyCount > 2 && notReadyCount / (notReadyCount + readyCount) >= unhealthyZoneThreshold) return { unhealthy: notReadyCount, state: 'PartialDisruption' }
  return { unhealthy: notReadyCount, state: 'Normal' }
}

export interface RateFlags {
  /** `--node-eviction-rate`, taints per second in a healthy zone. */
  nodeEvictionRate: number
  /** `--secondary-node-eviction-rate`, taints per second in a PartialDisruption zone larger than the threshold. */
  secondaryNodeEvictionRate: number
  /** `--large-cluster-size-threshold`: zones of at most this many nodes stop tainting when partially disrupted. */
  largeClusterSizeThreshold: number
}

/** `ReducedQPSFunc`: the secondary rate in a large zone, 0 (tainting stops) in a small one. */
export function reducedQPS(zoneSize: number, flags: RateFlags): number {
  return zoneSize > flags.largeClusterSizeThreshold ? flags.secondaryNodeEvictionRate : 0
}

/** `HealthyQPSFunc`: the normal rate, whatever the size. */
export function healthyQPS(_zoneSize: number, flags: RateFlags): number {
  return flags.nodeEvictionRate
}

/**
 * `setLimiterInZone`: the taint rate of a zone in `state` with `zoneSize` (counted) nodes.
 * A new zone (Initial) starts at the normal rate, as `addPodEvictorForNewZone` creates it.
 */
export function zoneQPS(state: ZoneState, zoneSize: number, flags: RateFlags): number {
  switch (state) {
    case 'Initial':
    case 'Normal':
      return flags.nodeEvictionRate
    case 'PartialDisruption':
      return reducedQPS(zoneSize, flags)
    case 'FullDisruption':
      return healthyQPS(zoneSize, flags)
  }
}

// ---------------------------------------------------------------------------------------------
// The token bucket (golang.org/x/time/rate behind flowcontrol.NewTokenBucketRateLimiter), as data.

/** `EvictionRateLimiterBurst`. */
export const EVICTION_RATE_LIMITER_BURST = 1

export interface TokenBucket {
  /** Tokens available at `last` (fractional; at most `burst`). */
  tokens: number
  /** Time (epoch ms) `tokens` was computed at. */
  last: number
  /** Tokens added per second; 0 never accepts (`NewFakeNeverRateLimiter`). */
  qps: number
  burst: number
}

/** Guards against 0.1 × 10 000 ms landing a hair below one token. */
const EPSILON = 1e-9

/** A new limiter is full: `burst` tokens at once. */
export function newTokenBucket(qps: number, now: number, burst = EVICTION_RATE_LIMITER_BURST): TokenBucket {
  return qps > 0 ? { tokens: burst, last: now, qps, burst } : { tokens: 0, last: now, qps: 0, burst }
}

/** The bucket brought forward to `now` (time never runs backwards in it). */
export function refill(b: TokenBucket, now: number): TokenBucket {
  if (now <= b.last || b.qps <= 0) return b
  return { ...b, tokens: Math.min(b.burst, b.tokens + ((now - b.last) * b.qps) / 1000), last: now }
}

/** `TryAccept`: takes one token if there is one at `now`. */
export function tryAccept(b: TokenBucket, now: number): { ok: boolean; bucket: TokenBucket } {
  const r = refill(b, now)
  if (r.qps <= 0 || r.tokens < 1 - EPSILON) return { ok: false, bucket: r }
  return { ok: true, bucket: { ...r, tokens: Math.max(0, r.tokens - 1) } }
}

/** When the next token is there (now, if it already is); undefined for a limiter that never accepts. */
export function nextTokenAt(b: TokenBucket, now: number): number | undefined {
  if (b.qps <= 0) return undefined
  const r = refill(b, now)
  if (r.tokens >= 1 - EPSILON) return now
  return r.last + Math.ceil(((1 - r.tokens) * 1000) / r.qps - 1e-6)
}

/**
 * `SwapLimiter`: the same rate keeps the bucket; 0 never accepts; another rate starts a new full
 * bucket, drained at once when the old one had no token left (so a swap grants no extra taint).
 */
export function swapLimiter(b: TokenBucket, qps: number, now: number): TokenBucket {
  if (b.qps === qps) return b
  if (qps <= 0) return newTokenBucket(0, now, b.burst)
  const fresh = newTokenBucket(qps, now, b.burst)
  return tryAccept(b, now).ok ? fresh : tryAccept(fresh, now).bucket
}
