/** Go-style durations as Kubernetes flags take them: `10s`, `1m30s`, `500ms`, `5m0s`, `1h`. */
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

export function parseDuration(raw: string): number {
  const s = raw.trim()
  if (s === '0') return 0
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g
  let total = 0
  let consumed = 0
  for (const m of s.matchAll(re)) {
    if (m.index !== consumed) break
    total += Number(m[1]) * UNITS[m[2]]
    consumed += m[0].length
  }
  if (consumed === 0 || consumed !== s.length) throw new Error(`invalid duration "${raw}" (examples: 10s, 1m30s, 500ms)`)
  return total
}
