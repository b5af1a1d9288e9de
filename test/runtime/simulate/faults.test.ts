/** The seeded fault schedule, and what the faults do to a simulated cluster. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { logger, setLogLevel } from '../../../runtime/log.js'
import { describeFault, faultSchedule, runSimulation, SIMULATION_DEFAULTS } from '../../../runtime/simulate/index.js'
import { Rng } from '../../../runtime/simulate/random.js'

setLogLevel('error')
const nodes = ['n0', 'n1', 'n2']
const schedule = (seed: number, ratePerHour = 60) => faultSchedule(Rng.stream(seed, 'faults'), { ratePerHour, fromMs: 60_000, untilMs: 10 * 3_600_000, nodes })

test('a seed\'s schedule is always the same, another seed\'s differs', () => {
  assert.equal(schedule(1), schedule(1))
  assert.not.equal(schedule(1), schedule(2))
})

test('faults come at about the rate asked, begin after the warm-up and end before the quiet tail', () => {
  const s = schedule(5, 60)
  assert.ok(s.length > 500 && s.length < 700, `${s.length} faults in ~10 h at 60/h`)
  for (const f of s) {
    assert.ok(f.at >= 60_000, describeFault(f.fault))
    assert.ok(f.at + f.forMs <= 10 * 3_600_000)
    assert.ok(f.forMs > 0)
  }
  const kinds = new Set(s.map((f) => f.fault.kind))
  assert.equal([...kinds].sort(), ['clock-skew', 'delay', 'drop', 'duplicate', 'lease-loss', 'node-crash', 'node-partition', 'partition', 'reorder', 'watch-lag'])
  assert.equal(faultSchedule(Rng.stream(1, 'faults'), { ratePerHour: 0, fromMs: 0, untilMs: 3_600_000, nodes }), [])
})

test('faults make the control plane act: nodes go Unknown and are tainted, pods are evicted and replaced, messages are lost and duplicated — and every invariant holds', async () => {
  const totals: Record<string, number> = {}
  let dropped = 0
  let duplicated = 0
  for (let seed = 1; seed <= 6; seed++) {
    const r = await runSimulation({ ...SIMULATION_DEFAULTS, seed, nodes: 6, pods: 40, durationMs: 20 * 60_000, faultsPerHour: 120, convergeWithinMs: 4 * 60_000, tolerationSeconds: 30 }, logger('simulate'))
    assert.equal(r.violations, [], `seed ${seed}`)
    for (const [k, n] of Object.entries(r.eventCounts)) totals[k] = (totals[k] ?? 0) + n
    dropped += r.network.dropped
    duplicated += r.network.duplicated
  }
  for (const type of ['NodeConditionChanged', 'NodeTainted', 'NodeUntainted', 'PodEvicted', 'PodDeleted']) assert.ok((totals[type] ?? 0) > 0, `${type}: ${totals[type] ?? 0}`)
  assert.ok(dropped > 0 && duplicated > 0, `${dropped} lost, ${duplicated} duplicated`)
})

test.run()
