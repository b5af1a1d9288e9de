/**
 * 100 seeds of the deterministic simulation in one process, as CI runs them: small clusters (5–10
 * nodes, 30 pods), 10 simulated minutes each under ~6 faults, every invariant checked as they run.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatViolation } from '../../../runtime/invariants/index.js'
import { setLogLevel } from '../../../runtime/log.js'
import { reproduceCommand, runSimulation, SIMULATION_DEFAULTS, type SimulationOptions } from '../../../runtime/simulate/index.js'
import { logger } from '../../../runtime/log.js'

setLogLevel('error')

/** The CI configuration of seed `seed`. Short tolerations, so evictions happen within ten minutes. */
export const ciOptions = (seed: number): SimulationOptions => ({
  ...SIMULATION_DEFAULTS,
  seed,
  nodes: 5 + (seed % 6),
  pods: 30,
  durationMs: 10 * 60_000,
  faultsPerHour: 60,
  convergeWithinMs: 3 * 60_000,
  warmupMs: 60_000,
  scalesPerHour: 12,
  tolerationSeconds: 60,
})

test('100 seeds run clean within a minute', async () => {
  const started = performance.now()
  const cpu = process.cpuUsage()
  const failures: string[] = []
  let faults = 0
  let records = 0
  for (let seed = 1; seed <= 100; seed++) {
    const r = await runSimulation(ciOptions(seed), logger('simulate'))
    faults += r.faults.length
    records += r.records
    if (r.violations.length > 0) failures.push(`${reproduceCommand(r.options)}\n    ${r.violations.slice(0, 5).map(formatViolation).join('\n    ')}`)
  }
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const cpuSeconds = (used.user + used.system) / 1e6
  console.log(`100 seeds: ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU, ${faults} faults, ${records} log records`)
  assert.equal(failures, [], `failing seeds:\n  ${failures.join('\n  ')}`)
  assert.ok(faults >= 300, `the schedules inject faults (${faults})`)
  // CPU time, not wall time: the machine's two cores are shared, and a loaded machine stretches
  // the wall clock without the run costing more.
  assert.ok(cpuSeconds < 60, `100 seeds took ${cpuSeconds.toFixed(1)} s of CPU (${seconds.toFixed(1)} s wall)`)
})

test.run()
