/**
 * Same seed and code → the same log, byte for byte; nothing on the simulated path reads the wall
 * clock or an unseeded random source.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { logger, setLogLevel } from '../../../runtime/log.js'
import { runSimulation, SIMULATION_DEFAULTS, type SimulationOptions } from '../../../runtime/simulate/index.js'

setLogLevel('error')
const log = logger('simulate')
const options = (seed: number): SimulationOptions => ({ ...SIMULATION_DEFAULTS, seed, nodes: 6, pods: 40, durationMs: 15 * 60_000, faultsPerHour: 60, convergeWithinMs: 3 * 60_000, tolerationSeconds: 60, scalesPerHour: 12 })

test('the same seed gives the same log hash, projection hash, faults and verdict', async () => {
  const a = await runSimulation(options(42), log)
  const b = await runSimulation(options(42), log)
  assert.ok(a.faults.length > 0, 'faults were injected')
  assert.ok(a.records > 100)
  assert.is(a.logHash, b.logHash)
  assert.is(a.projectionHash, b.projectionHash)
  assert.equal(a.faults, b.faults)
  assert.equal(a.eventCounts, b.eventCounts)
  assert.equal(a.network, b.network)
  assert.equal(a.violations, b.violations)
})

test('another seed gives another history', async () => {
  const a = await runSimulation(options(42), log)
  const c = await runSimulation(options(43), log)
  assert.is.not(a.logHash, c.logHash)
  assert.not.equal(a.faults, c.faults)
})

test('the wall clock and Math.random do not reach the log', async () => {
  const a = await runSimulation(options(7), log)
  const { now } = Date
  const { random } = Math
  // A clock far in the future, and a "random" source that always answers the same: if anything on
  // the simulated path used them, the log would differ.
  Date.now = () => now() + 1e11
  Math.random = () => 0.25
  try {
    const b = await runSimulation(options(7), log)
    assert.is(b.logHash, a.logHash)
  } finally {
    Date.now = now
    Math.random = random
  }
})

test.run()
