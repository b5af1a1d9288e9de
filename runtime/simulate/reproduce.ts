import type { SimulationOptions } from './simulation.js'

/** Go-style duration the CLI parses back exactly: `2h`, `10m`, `1m30s`, `100ms`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0'
  let rest = ms
  let out = ''
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size)
    if (n > 0) out += `${n}${unit}`
    rest -= n * size
  }
  return out
}

/** The exact command that runs `o` again: every option spelled out, so changed defaults cannot change the run. */
export function reproduceCommand(o: SimulationOptions): string {
  const args = [
    `--seed ${o.seed}`,
    `--nodes ${o.nodes}`,
    `--duration ${formatDuration(o.durationMs)}`,
    `--faults ${o.faultsPerHour}`,
    `--pods ${o.pods}`,
    `--zone-size ${o.zoneSize}`,
    `--converge-within ${formatDuration(o.convergeWithinMs)}`,
    `--warmup ${formatDuration(o.warmupMs)}`,
    `--scales ${o.scalesPerHour}`,
    `--toleration-seconds ${o.tolerationSeconds}`,
    `--step ${formatDuration(o.stepMs)}`,
    `--check-every ${formatDuration(o.checkEveryMs)}`,
  ]
  if (!o.compareProjections) args.push('--no-compare-projections')
  return `kstate simulate ${args.join(' ')}`
}
