import type { Command } from 'commander'
import { ErrorCode, KstateError } from '../../errors.js'
import { parseDuration } from '../duration.js'

/**
 * `kstate simulate`: deterministic simulation with seeds. Registered from main.ts; the simulation
 * (xstate, every actor) is loaded only when the command runs.
 */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run the whole control plane and N simulated nodes on a virtual clock under a seeded fault schedule, checking the invariants; prints the log\'s content hash (same seed and code → same hash)')
    .requiredOption('--seed <n>', 'seed of the fault schedule, the network and the workload (0 to 2147483647)')
    .option('--nodes <n>', 'simulated nodes', '10')
    .option('--duration <duration>', 'simulated time', '2h')
    .option('--faults <rate>', 'mean faults per simulated hour (node crash/partition, lease loss, clock skew, process partition, message delay/drop/duplicate/reorder, lagging watch)', '30')
    .option('--pods <n>', 'ReplicaSet pods (one ReplicaSet per 10 pods, at most 10)', '100')
    .option('--zone-size <n>', 'nodes per zone', '100')
    .option('--converge-within <duration>', 'every ReplicaSet must have converged this long after the last fault or scale; faults end this long before the run does', '5m')
    .option('--warmup <duration>', 'faults begin after this', '1m')
    .option('--scales <rate>', 'user scale operations per simulated hour', '6')
    .option('--toleration-seconds <n>', 'tolerationSeconds admission adds for the not-ready and unreachable NoExecute taints', '300')
    .option('--step <duration>', 'timers due within one step fire together before their effects settle', '100ms')
    .option('--check-every <duration>', 'how often ReplicaSet convergence is checked (simulated time)', '10s')
    .option('--no-compare-projections', 'do not hash and compare every process\'s projections (faster; default: they are compared)')
    .option('--seeds <n>', 'run N seeds, from --seed on, one line each', '1')
    .option('-v, --verbose', 'the controllers\' log lines on stderr', false)
    .action(async (o) => (await import('../../simulate/cli.js')).simulateCommand(o))
}

export interface SimulateFlags {
  seed: string
  nodes: string
  duration: string
  faults: string
  pods: string
  zoneSize: string
  convergeWithin: string
  warmup: string
  scales: string
  tolerationSeconds: string
  step: string
  checkEvery: string
  compareProjections: boolean
  seeds: string
  verbose: boolean
}

const integer = (flag: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new KstateError(ErrorCode.BadInput, `--${flag} must be an integer from ${min} to ${max}, got "${v}"`)
  return n
}
const rate = (flag: string, v: string): number => {
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new KstateError(ErrorCode.BadInput, `--${flag} must be a number ≥ 0, got "${v}"`)
  return n
}

/** The flags as simulation options; one-line errors for bad values. */
export function simulationOptions(f: SimulateFlags) {
  const o = {
    seed: integer('seed', f.seed, 0, 2 ** 31 - 1),
    nodes: integer('nodes', f.nodes, 1),
    durationMs: parseDuration(f.duration),
    faultsPerHour: rate('faults', f.faults),
    pods: integer('pods', f.pods, 0),
    zoneSize: integer('zone-size', f.zoneSize, 1),
    convergeWithinMs: parseDuration(f.convergeWithin),
    warmupMs: parseDuration(f.warmup),
    scalesPerHour: rate('scales', f.scales),
    tolerationSeconds: integer('toleration-seconds', f.tolerationSeconds, 0),
    stepMs: parseDuration(f.step),
    checkEveryMs: parseDuration(f.checkEvery),
    compareProjections: f.compareProjections,
  }
  if (o.stepMs <= 0) throw new KstateError(ErrorCode.BadInput, '--step must be positive')
  if (o.checkEveryMs <= 0) throw new KstateError(ErrorCode.BadInput, '--check-every must be positive')
  if (o.durationMs <= o.convergeWithinMs + o.warmupMs && o.faultsPerHour > 0) {
    throw new KstateError(ErrorCode.BadInput, `--duration must exceed --warmup plus --converge-within for faults to happen (faults run between them)`)
  }
  return o
}
