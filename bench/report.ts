/** The last line every benchmark prints. */
export interface BenchResult {
  bench: string
  unit: string
  value: number
  baseline: string
  baselineValue: number
  ratio: number
}

export function report(r: Omit<BenchResult, 'ratio'>): void {
  const round = (n: number) => Math.round(n * 100) / 100
  const out: BenchResult = { bench: r.bench, unit: r.unit, value: round(r.value), baseline: r.baseline, baselineValue: round(r.baselineValue), ratio: round(r.value / r.baselineValue) }
  console.log(JSON.stringify(out))
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024)
}
