import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  computeZoneState,
  newTokenBucket,
  nextTokenAt,
  reducedQPS,
  swapLimiter,
  tryAccept,
  zoneOf,
  zoneQPS,
  type TokenBucket,
} from '../../../../actors/controllers/node-lifecycle/zones.js'
import { DEFAULT_NODE_LIFECYCLE_FLAGS as F } from '../../../../actors/controllers/node-lifecycle/controller.js'

test('zone key: region and zone labels (the beta labels first), empty without either', () => {
  assert.is(zoneOf(undefined), '')
  assert.is(zoneOf({ 'kubernetes.io/hostname': 'n1' }), '')
  assert.is(zoneOf({ 'topology.kubernetes.io/zone': 'a' }), ':a')
  assert.is(zoneOf({ 'topology.kubernetes.io/region': 'eu', 'topology.kubernetes.io/zone': 'a' }), 'eu:a')
  assert.is(zoneOf({ 'topology.kubernetes.io/region': 'eu' }), 'eu:')
  assert.is(zoneOf({ 'failure-domain.beta.kubernetes.io/zone': 'old', 'topology.kubernetes.io/zone': 'new' }), ':old')
})

test('ComputeZoneState: Full with no Ready node, Partial past the threshold with more than 2 down, else Normal', () => {
  const cases: [number, number, string][] = [
    [0, 0, 'Normal'],
    [0, 1, 'FullDisruption'],
    [0, 7, 'FullDisruption'],
    [1, 2, 'Normal'], // 2 not ready is never partial
    [1, 3, 'PartialDisruption'],
    [9, 11, 'PartialDisruption'], // 0.55 exactly
    [10, 10, 'Normal'], // 0.5
    [45, 55, 'PartialDisruption'],
    [46, 54, 'Normal'],
  ]
  for (const [ready, notReady, want] of cases) {
    assert.is(computeZoneState(ready, notReady, F.unhealthyZoneThreshold).state, want, `${ready} ready, ${notReady} not ready`)
    assert.is(computeZoneState(ready, notReady, F.unhealthyZoneThreshold).unhealthy, notReady)
  }
})

test('rates: normal and full disruption at the eviction rate; partial at the secondary rate above 50 nodes, 0 at or below', () => {
  assert.is(zoneQPS('Initial', 10, F), 0.1)
  assert.is(zoneQPS('Normal', 10, F), 0.1)
  assert.is(zoneQPS('FullDisruption', 10, F), 0.1)
  assert.is(zoneQPS('FullDisruption', 1000, F), 0.1)
  assert.is(zoneQPS('PartialDisruption', 51, F), 0.01)
  assert.is(zoneQPS('PartialDisruption', 50, F), 0)
  assert.is(zoneQPS('PartialDisruption', 3, F), 0)
  assert.is(reducedQPS(100, { ...F, largeClusterSizeThreshold: 200 }), 0)
})

/** Accepts at every whole second in [0, seconds] and returns the times of the accepted ones. */
function acceptedOver(b: TokenBucket, start: number, seconds: number, stepMs = 1000): number[] {
  const out: number[] = []
  for (let t = start; t <= start + seconds * 1000; t += stepMs) {
    const r = tryAccept(b, t)
    b = r.bucket
    if (r.ok) out.push((t - start) / 1000)
  }
  return out
}

test('token bucket: starts full (burst 1), then one token per 1/qps seconds', () => {
  assert.equal(acceptedOver(newTokenBucket(0.1, 0), 0, 60), [0, 10, 20, 30, 40, 50, 60])
  assert.equal(acceptedOver(newTokenBucket(0.01, 0), 0, 350), [0, 100, 200, 300])
  assert.equal(acceptedOver(newTokenBucket(1, 5_000), 5_000, 3, 250), [0, 1, 2, 3])
  assert.equal(acceptedOver(newTokenBucket(0, 0), 0, 1000), [])
  // Tokens do not pile up beyond the burst: after a long idle time, one taint, then the rate again.
  let b = tryAccept(newTokenBucket(0.1, 0), 0).bucket
  b = tryAccept(b, 3_600_000).bucket
  assert.is(tryAccept(b, 3_600_001).ok, false)
  assert.is(nextTokenAt(b, 3_600_001), 3_610_000)
})

test('nextTokenAt: now when a token is there, the exact refill time otherwise, never for rate 0', () => {
  const b = newTokenBucket(0.1, 1_000)
  assert.is(nextTokenAt(b, 1_000), 1_000)
  const used = tryAccept(b, 1_000).bucket
  assert.is(nextTokenAt(used, 1_000), 11_000)
  assert.is(nextTokenAt(used, 6_000), 11_000)
  assert.is(tryAccept(used, 10_999).ok, false)
  assert.is(tryAccept(used, 11_000).ok, true)
  assert.is(nextTokenAt(newTokenBucket(0, 0), 0), undefined)
})

test('SwapLimiter: same rate keeps the bucket; 0 never accepts; a new rate starts full unless the old one was empty', () => {
  const full = newTokenBucket(0.1, 0)
  assert.is(swapLimiter(full, 0.1, 5_000), full)
  const never = swapLimiter(full, 0, 5_000)
  assert.is(never.qps, 0)
  assert.is(tryAccept(never, 1e12).ok, false)
  // Old bucket had a token: the new one starts full.
  assert.is(tryAccept(swapLimiter(full, 0.01, 5_000), 5_000).ok, true)
  // Old bucket was empty: the new one is drained, so the swap grants no extra taint.
  const empty = tryAccept(full, 0).bucket
  const swapped = swapLimiter(empty, 0.01, 5_000)
  assert.is(tryAccept(swapped, 5_000).ok, false)
  assert.is(nextTokenAt(swapped, 5_000), 105_000)
  // From "never" back to a rate: drained as well (Kubernetes' FakeNeverRateLimiter never had a token).
  assert.is(tryAccept(swapLimiter(never, 0.1, 9_000), 9_000).ok, false)
  assert.is(tryAccept(swapLimiter(never, 0.1, 9_000), 19_000).ok, true)
})

test.run()
