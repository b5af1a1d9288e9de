import { simulationOptions, type SimulateFlags } from '../cli/commands/simulate.js'
import { ErrorCode, KstateError } from '../errors.js'
import { formatViolation, INVARIANTS, type Violation } from '../invariants/index.js'
import { logger, setLogLevel } from '../log.js'
import { describeFault } from './faults.js'
import { formatDuration, reproduceCommand } from './reproduce.js'
import { runSimulation, type SimulationOptions, type SimulationResult } from './simulation.js'

const out = (line: string) => process.stdout.write(line + '\n')

function summary(r: SimulationResult): string {
  const o = r.options
  const speed = r.simulatedMs / Math.max(1, r.wallMs)
  return `seed ${o.seed}: ${o.nodes} nodes, ${o.pods} pods, ${formatDuration(r.simulatedMs)} simulated in ${(r.wallMs / 1000).toFixed(1)} s (${Math.round(speed)}× real time), ${r.faults.length} faults, ${r.records} log records, ${r.acks} acknowledged writes`
}

function verdict(r: SimulationResult): void {
  const kinds = new Map<string, number>()
  for (const f of r.faults) kinds.set(f.fault.kind, (kinds.get(f.fault.kind) ?? 0) + 1)
  if (kinds.size > 0) out(`faults: ${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')}`)
  const byName = new Map<string, Violation[]>()
  for (const v of r.violations) byName.set(v.invariant, [...(byName.get(v.invariant) ?? []), v])
  for (const name of Object.values(INVARIANTS)) {
    const n = byName.get(name)?.length ?? 0
    out(`  ${name.padEnd(28)} ${n === 0 ? 'ok' : `FAILED (${n})`}`)
  }
  out(`slowest convergence after a disturbance: ${(r.worstConvergenceMs / 1000).toFixed(0)} s; network: ${r.network.sent} messages, ${r.network.dropped} lost, ${r.network.duplicated} duplicated`)
}

/** `kstate simulate`: one seed with a verdict table, or `--seeds N` with a line each. Exits 1 on any violation. */
export async function simulateCommand(f: SimulateFlags): Promise<void> {
  const base = simulationOptions(f)
  const seeds = Number(f.seeds)
  if (!Number.isInteger(seeds) || seeds < 1) throw new KstateError(ErrorCode.BadInput, `--seeds must be a positive integer, got "${f.seeds}"`)
  setLogLevel(f.verbose ? 'info' : 'error')
  const log = logger('simulate')
  const failed: SimulationOptions[] = []
  for (let i = 0; i < seeds; i++) {
    const o: SimulationOptions = { ...base, seed: base.seed + i }
    const r = await runSimulation(o, log, {
      onProgress: (p) => {
        if (seeds > 1 || p.simulatedMs % 600_000 !== 0) return
        process.stderr.write(`t+${formatDuration(p.simulatedMs)}: ${p.records} log records, ${p.activeFaults} faults in effect, ${p.violations} violations (${(p.wallMs / 1000).toFixed(1)} s)\n`)
      },
      onViolation: seeds > 1 ? undefined : (v) => process.stderr.write(`violation: ${formatViolation(v)}\n`),
    })
    if (seeds > 1) {
      out(`${r.violations.length === 0 ? 'ok  ' : 'FAIL'} ${summary(r)}; log hash ${r.logHash.slice(0, 16)}`)
    } else {
      out(summary(r))
      if (r.faults.length > 0 && f.verbose) for (const x of r.faults) out(`  ${x.id} at ${formatDuration(x.at)} for ${formatDuration(x.forMs)}: ${describeFault(x.fault)}`)
      verdict(r)
      out(`log hash: ${r.logHash}`)
    }
    if (r.violations.length > 0) {
      for (const v of r.violations.slice(0, 20)) out(`  ${formatViolation(v)}`)
      if (r.violations.length > 20) out(`  … ${r.violations.length - 20} more`)
      failed.push(o)
    }
  }
  if (failed.length > 0) {
    out(`${failed.length} of ${seeds} seed${seeds > 1 ? 's' : ''} failed; reproduce with:`)
    for (const o of failed) out(`  ${reproduceCommand(o)}`)
    process.exitCode = 1
  }
}
