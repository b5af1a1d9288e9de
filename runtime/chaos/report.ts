import { formatTable } from '../cli/print/table.js'

/** What `kstate chaos run` found: the verdict of every invariant and the run's figures. */
export interface ScenarioReport {
  scenario: string
  passed: boolean
  durationMs: number
  /** Ids of the faults the run injected (their records are in the log). */
  faults: string[]
  writes: { attempted: number; acknowledged: number; failed: number; lost: number }
  /** From the last fault's clearing to every ReplicaSet converged; undefined if it never did. */
  convergedAfterMs?: number
  /** From the first fault's injection to the workload's last change (its converged shape): how long recovery took. */
  recoveredAfterMs?: number
  lastRev: number
  invariants: { name: string; checked: string; violations: number }[]
  /** One line per violation. */
  violations: string[]
}

export function formatReport(r: ScenarioReport): string {
  const table = formatTable(
    ['INVARIANT', 'VERDICT', 'VIOLATIONS', 'CHECKED'],
    r.invariants.map((i) => [i.name, i.violations === 0 ? 'ok' : 'VIOLATED', String(i.violations), i.checked]),
  )
  const figures = [
    `scenario ${r.scenario}: ${r.passed ? 'PASSED' : 'FAILED'} in ${(r.durationMs / 1000).toFixed(1)} s, ${r.faults.length} faults (${r.faults.join(', ')}), log at rev ${r.lastRev}`,
    `writes: ${r.writes.acknowledged} acknowledged, ${r.writes.lost} lost, ${r.writes.failed} failed (not acknowledged) of ${r.writes.attempted}`,
    `convergence: ${r.convergedAfterMs !== undefined ? `${(r.convergedAfterMs / 1000).toFixed(1)} s after the last fault cleared, ${((r.recoveredAfterMs ?? 0) / 1000).toFixed(1)} s after the first fault` : 'not reached'}`,
  ]
  return [table, '', ...figures, ...(r.violations.length ? ['', ...r.violations] : [])].join('\n')
}
