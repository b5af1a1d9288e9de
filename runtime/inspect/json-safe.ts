/**
 * A JSON-safe, size-capped copy of any value (an actor's context, a machine definition), so a
 * `get` answer stays small and serialisable whatever the machine keeps: functions, actor refs,
 * Maps, cycles and huge tables become short markers instead of failures or megabytes.
 */
export interface JsonSafeLimits {
  /** Approximate characters of JSON the copy may take. */
  budget: number
  /** Array items and object keys kept per level. */
  maxItems: number
  maxDepth: number
  maxString: number
}

export const DEFAULT_LIMITS: JsonSafeLimits = { budget: 256 * 1024, maxItems: 200, maxDepth: 12, maxString: 2_000 }

const isActorRef = (v: object): v is { id: string; sessionId: string } =>
  'sessionId' in v && 'send' in v && typeof (v as { send?: unknown }).send === 'function'

export function jsonSafe(value: unknown, limits: Partial<JsonSafeLimits> = {}): { value: unknown; truncated: boolean } {
  const l = { ...DEFAULT_LIMITS, ...limits }
  let left = l.budget
  let truncated = false
  const seen = new Set<object>()
  const cut = (marker: string) => {
    truncated = true
    return marker
  }

  function walk(v: unknown, depth: number, asked = false): unknown {
    if (left <= 0) return cut('…')
    switch (typeof v) {
      case 'string':
        left -= Math.min(v.length, l.maxString) + 2
        return v.length > l.maxString ? cut(`${v.slice(0, l.maxString)}… (${v.length} chars)`) : v
      case 'number':
        left -= 8
        return Number.isFinite(v) ? v : String(v)
      case 'boolean':
        left -= 5
        return v
      case 'bigint':
        left -= 12
        return String(v)
      case 'undefined':
        return undefined
      case 'function':
        left -= 20
        return `[function ${v.name || 'anonymous'}]`
      case 'symbol':
        return String(v)
    }
    if (v === null) return null
    const o = v as object
    if (seen.has(o)) return '[circular]'
    if (isActorRef(o)) {
      left -= o.id.length + 12
      return { actor: o.id }
    }
    if (o instanceof Date) return o.toISOString()
    // As JSON.stringify: objects that say how they serialise (XState's state nodes) are asked.
    const toJSON = (o as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function' && !asked) return walk((toJSON as () => unknown).call(o), depth, true)
    if (ArrayBuffer.isView(o)) return `[${o.byteLength} bytes]`
    if (depth >= l.maxDepth) return cut('[…]')
    seen.add(o)
    try {
      if (o instanceof Map) return walkEntries([...o.entries()].map(([k, x]) => [String(k), x]), o.size, depth)
      if (o instanceof Set || Array.isArray(o)) {
        const items = Array.isArray(o) ? o : [...o]
        const out: unknown[] = []
        for (const x of items) {
          if (out.length >= l.maxItems || left <= 0) {
            out.push(cut(`… ${items.length - out.length} more`))
            break
          }
          const w = walk(x, depth + 1)
          out.push(w === undefined ? null : w)
          left -= 1
        }
        left -= 2
        return out
      }
      const keys = Object.keys(o)
      return walkEntries(
        keys.map((k) => [k, (o as Record<string, unknown>)[k]]),
        keys.length,
        depth,
      )
    } finally {
      seen.delete(o)
    }
  }

  function walkEntries(entries: [string, unknown][], size: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    let n = 0
    for (const [k, x] of entries) {
      if (n >= l.maxItems || left <= 0) {
        out['…'] = cut(`${size - n} more`)
        break
      }
      const w = walk(x, depth + 1)
      if (w === undefined) continue
      out[k] = w
      left -= k.length + 4
      n++
    }
    left -= 2
    return out
  }

  const out = walk(value, 0)
  return { value: out, truncated }
}
