/**
 * simulate: the deterministic simulation at scale — 1,000 simulated nodes, 20,000 ReplicaSet pods,
 * 2 hours of simulated time under a seeded fault schedule (30 faults an hour: node crashes and
 * partitions, lease loss, clock skew, process partitions, message delay/drop/duplicate/reorder,
 * lagging watches), every invariant checked continuously. value = simulated seconds per wall
 * second over the whole run (cluster start included); baseline = real time (1.0). Exits non-zero
 * on any violation.
 *
 *   npm run bench -- simulate [--seed 1] [--nodes 1000] [--pods 20000] [--duration 2h] [--faults 30] [--no-compare-projections]
 */
import { formatViolation } from '../runtime/invariants/index.js'
import { logger, setLogLevel } from '../runtime/log.js'
import { parseDuration } from '../runtime/cli/duration.js'
import { formatDuration, reproduceCommand, runSimulation, SIMULATION_DEFAULTS, type SimulationOptions } from '../runtime/simulate/index.js'
import { peakRssMb, report } from './report.js'

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : dflt
}
const o: SimulationOptions = {
  ...SIMULATION_DEFAULTS,
  seed: Number(arg('seed', '1')),
  nodes: Number(arg('nodes', '1000')),
  pods: Number(arg('pods', '20000')),
  durationMs: parseDuration(arg('duration', '2h')),
  faultsPerHour: Number(arg('faults', '30')),
  compareProjections: !process.argv.includes('--no-compare-projections'),
}

setLogLevel('error')
const cpu0 = process.cpuUsage()
const cpuSeconds = () => {
  const u = process.cpuUsage(cpu0)
  return (u.user + u.system) / 1e6
}
/** Wall and CPU time at each simulated ten minutes: the first ones are the cluster coming up. */
const marks: string[] = []
const r = await runSimulation(o, logger('bench'), {
  onProgress: (p) => {
    if (p.simulatedMs % 600_000 !== 0) return
    const line = `t+${formatDuration(p.simulatedMs)}: ${(p.wallMs / 1000).toFixed(1)} s wall, ${cpuSeconds().toFixed(1)} s CPU, ${p.records} log records, ${p.activeFaults} faults in effect, ${p.violations} violations`
    marks.push(line)
    process.stderr.write(line + '\n')
  },
})
const simS = r.simulatedMs / 1000
const wallS = r.wallMs / 1000
const cpuS = r.cpuMs / 1000
console.log(`${o.nodes} nodes, ${o.pods} pods, ${formatDuration(r.simulatedMs)} simulated: ${wallS.toFixed(1)} s wall (${(simS / wallS).toFixed(1)}× real time), ${cpuS.toFixed(1)} s CPU (${(simS / cpuS).toFixed(1)} simulated s per CPU s)`)
console.log(`${r.faults.length} faults, ${r.records} log records, ${r.acks} acknowledged writes, network ${r.network.sent} messages (${r.network.dropped} lost, ${r.network.duplicated} duplicated); evictions ${r.eventCounts.PodEvicted ?? 0}, taints ${r.eventCounts.NodeTainted ?? 0}; slowest convergence ${(r.worstConvergenceMs / 1000).toFixed(0)} s`)
console.log(`log hash ${r.logHash}; peak RSS ${peakRssMb()} MB; stopping the actors afterwards: ${(r.teardownMs / 1000).toFixed(1)} s (not counted)`)
for (const v of r.violations.slice(0, 20)) console.log(`FAIL ${formatViolation(v)}`)
if (r.violations.length > 0) console.log(`reproduce: ${reproduceCommand(o)}`)
report({ bench: 'simulate', unit: 'simulated s / wall s', value: simS / wallS, baseline: 'real-time', baselineValue: 1 })
process.exit(r.violations.length === 0 ? 0 : 1)
