import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { numFeasibleNodesToFind } from '../../../actors/scheduler/scheduler.js'

test('adaptive percentageOfNodesToScore as kube-scheduler computes it', () => {
  assert.is(numFeasibleNodesToFind(50), 50) // under 100 nodes: all
  assert.is(numFeasibleNodesToFind(100), 100) // 49.2% of 100 = 49, raised to the minimum of 100
  assert.is(numFeasibleNodesToFind(1_000), 420) // 50 − 8 = 42%
  assert.is(numFeasibleNodesToFind(5_000), 500) // 50 − 40 = 10%
  assert.is(numFeasibleNodesToFind(6_000), 300) // 50 − 48 = 2% → floored at 5%
  assert.is(numFeasibleNodesToFind(5_000, 100), 5_000)
  assert.is(numFeasibleNodesToFind(5_000, 1), 100) // never fewer than 100
})

test.run()
