const MOD = 2 ** 48
const digests = new WeakMap<object, number>()

/** Two independent 32-bit lanes over a string (FNV-1a and a multiplicative mix). */
function strLanes(s: string, seed: number): [number, number] {
  let a = 0x811c9dc5 ^ seed
  let b = 0x9e3779b9 ^ seed
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  return [a >>> 0, b >>> 0]
}

/** A 48-bit number from two lanes: b's top 16 bits above a's 32. */
const join = (a: number, b: number) => (b >>> 16) * 2 ** 32 + (a >>> 0)
const fold = (x: number) => x % MOD

/** murmur3's finalizer: every input bit flips about half the output bits. */
function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A non-linear 48-bit combination of two 48-bit numbers (order matters): no sum of pairs can cancel out. */
function mix(x: number, y: number): number {
  const xl = x % 2 ** 32
  const xh = Math.floor(x / 2 ** 32)
  const yl = y % 2 ** 32
  const yh = Math.floor(y / 2 ** 32)
  const a = fmix32(xl ^ Math.imul(yl, 0x9e3779b1) ^ 0x6a09e667)
  const b = fmix32(xh ^ yh ^ a ^ 0xbb67ae85)
  return join(a, fmix32(b ^ yl))
}

/**
 * A 48-bit digest of a JSON value's content that does not depend on key order: an object's digest
 * is the sum of its (key, value) digests, so no keys are sorted and no text is built. Arrays are
 * ordered; `undefined` members are left out, as JSON leaves them.
 */
function digestOf(v: unknown, depth: number): number {
  if (v === null || v === undefined) return 0x2f1
  switch (typeof v) {
    case 'string': {
      const [a, b] = strLanes(v, 0x51)
      return fold(join(a, b))
    }
    case 'number': {
      const [a, b] = strLanes(String(v), 0x4e)
      return fold(join(a, b))
    }
    case 'boolean':
      return v ? 0x7a3 : 0x3b9
    case 'object': {
      if (depth > 64) throw new Error('object too deep to hash')
      if (Array.isArray(v)) {
        let h = 0x1d7 + v.length
        for (const x of v) h = mix(h, digestOf(x, depth + 1))
        return mix(h, 0xa11)
      }
      // The sum over (key, value) pairs does not depend on their order; each pair is mixed
      // non-linearly, so moving a value to another key changes the sum.
      let sum = 0x0b1
      for (const k in v as Record<string, unknown>) {
        const x = (v as Record<string, unknown>)[k]
        if (x === undefined) continue
        const [a, b] = strLanes(k, 0x4b)
        sum = (sum + mix(join(a, b), digestOf(x, depth + 1))) % MOD
      }
      return mix(sum, 0x0b1)
    }
    default:
      return 0x1f
  }
}

/**
 * A 48-bit digest of an object's content, independent of key order, cached per object:
 * projections share immutable objects, so each is hashed once however many hold it.
 */
export function objectDigest(o: object): number {
  let d = digests.get(o)
  if (d === undefined) {
    d = digestOf(o, 0)
    digests.set(o, d)
  }
  return d
}

/**
 * The hash of a set of (key, object) pairs kept up to date one change at a time: the sum of their
 * digests modulo 2^48. Order-free and removable, so a projection's hash costs one digest per change
 * instead of a walk over every object; two projections with equal contents have equal hashes.
 */
export class ObjectSetHash {
  /** The hash as a number below 2^48 (cheaper to compare than `value`). */
  sum = 0

  /** `before` the object the key held (undefined when new), `after` what it holds now (undefined when deleted). */
  change(key: string, before: object | undefined, after: object | undefined): void {
    if (before) this.sum = (this.sum - this.entry(key, before) + MOD) % MOD
    if (after) this.sum = (this.sum + this.entry(key, after)) % MOD
  }

  get value(): string {
    return this.sum.toString(16).padStart(12, '0')
  }

  private entry(key: string, o: object): number {
    // Keys are in the objects' metadata already; mixing them in keeps two keys that swap objects apart.
    const [a, b] = strLanes(key, 0x6b)
    return mix(join(a, b), objectDigest(o))
  }
}
