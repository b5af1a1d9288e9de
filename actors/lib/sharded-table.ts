/**
 * A persistent string-keyed map for machine contexts: a hash trie of fixed depth (3 levels of
 * 32-slot arrays, then small buckets), so an immutable update copies three short arrays and one
 * bucket whatever the size. A controller's context holds tens of thousands of pods and changes one
 * per event; copying a whole map, or a shard of a thousand entries, per event was what made
 * 50,000 pods slow.
 *
 * Everything is plain arrays (a bucket is `[key, value, key, value, …]`): they copy fast, keep
 * V8's hidden classes few (an object per distinct key set would make one per pod name), and
 * survive a JSON round trip of a persisted snapshot (a hole becomes `null`, read as empty).
 *
 * Reads are free functions over a `Table`; writes go through a `TableEditor`, which copies each
 * array a step touches once and then changes it in place (a batch of 5,000 updates copies each
 * path once, not 5,000 times). A table handed out is never changed again.
 */

type Slot = Level | Bucket | null | undefined
interface Level extends ReadonlyArray<Slot> {}
/** `[key, value, key, value, …]`. */
type Bucket = readonly unknown[]

export interface Table<T> {
  readonly size: number
  readonly root: Level
  /** Phantom: the value type. */
  readonly __values?: T
}

const BITS = 5
const DEPTH = 3
const MASK = (1 << BITS) - 1

const EMPTY: Table<never> = Object.freeze({ size: 0, root: Object.freeze([]) as Level })
export const emptyTable = <T>(): Table<T> => EMPTY

/** FNV-1a, 32 bits. */
function hash(key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return h >>> 0
}

function bucketOf(t: Table<unknown> | undefined, h: number): Bucket | undefined {
  let node: Slot = t?.root
  for (let d = 0; d < DEPTH && node; d++) node = (node as Level)[(h >>> (d * BITS)) & MASK]
  return (node as Bucket | null | undefined) ?? undefined
}

function indexIn(b: Bucket | undefined, key: string): number {
  if (b) for (let i = 0; i < b.length; i += 2) if (b[i] === key) return i
  return -1
}

export function lookup<T>(t: Table<T> | undefined, key: string): T | undefined {
  const b = bucketOf(t, hash(key))
  const i = indexIn(b, key)
  return i >= 0 ? (b![i + 1] as T) : undefined
}

export const has = (t: Table<unknown> | undefined, key: string): boolean => indexIn(bucketOf(t, hash(key)), key) >= 0

export const tableSize = (t: Table<unknown> | undefined): number => t?.size ?? 0

/** Calls `visit` for every entry, in hash order (stable for a given set of keys). */
export function forEachEntry<T>(t: Table<T> | undefined, visit: (key: string, value: T) => void): void {
  const walk = (node: Slot, depth: number): void => {
    if (!node) return
    if (depth === DEPTH) {
      const b = node as Bucket
      for (let i = 0; i < b.length; i += 2) visit(b[i] as string, b[i + 1] as T)
      return
    }
    for (const child of node as Level) walk(child, depth + 1)
  }
  walk(t?.root, 0)
}

export function tableKeys<T>(t: Table<T> | undefined): string[] {
  const out: string[] = []
  forEachEntry(t, (k) => out.push(k))
  return out
}

export function tableValues<T>(t: Table<T> | undefined): T[] {
  const out: T[] = []
  forEachEntry(t, (_, v) => out.push(v))
  return out
}

export function tableEntries<T>(t: Table<T> | undefined): [string, T][] {
  const out: [string, T][] = []
  forEachEntry(t, (k, v) => out.push([k, v]))
  return out
}

/**
 * Copy-on-write updates for one step of a machine: arrays this editor made are its own and are
 * changed in place; any other is copied on its first write. Use one editor per step (per draft of
 * the context) and drop it with the draft.
 */
export class TableEditor {
  private readonly fresh = new WeakSet<object>()

  private own<A extends unknown[]>(a: readonly unknown[] | null | undefined): A {
    if (a && this.fresh.has(a)) return a as A
    const copy = (a ? a.slice() : []) as A
    this.fresh.add(copy)
    return copy
  }

  /** `t` with `key` set to `value`, or removed when `value` is undefined. */
  set<T>(t: Table<T>, key: string, value: T | undefined): Table<T> {
    return this.update(t, key, () => value)
  }

  /**
   * `t` with `key` set to `next(current value)`, removed when it answers undefined; `t` itself
   * when the answer is the current value (nothing is copied). One walk down the trie.
   */
  update<T>(t: Table<T>, key: string, next: (current: T | undefined) => T | undefined): Table<T> {
    const h = hash(key)
    const found = bucketOf(t, h)
    const i = indexIn(found, key)
    const current = i >= 0 ? (found![i + 1] as T) : undefined
    const value = next(current)
    if (value === current && (i >= 0 || value === undefined)) return t
    const root = this.own<Slot[]>(t.root)
    let node = root
    for (let d = 0; d < DEPTH - 1; d++) {
      const s = (h >>> (d * BITS)) & MASK
      node = node[s] = this.own<Slot[]>(node[s] as Level | undefined)
    }
    const s = (h >>> ((DEPTH - 1) * BITS)) & MASK
    const bucket = this.own<unknown[]>(node[s] as Bucket | undefined)
    if (value === undefined) bucket.splice(i, 2)
    else if (i >= 0) bucket[i + 1] = value
    else bucket.push(key, value)
    node[s] = bucket.length > 0 ? bucket : null
    const size = t.size + (i >= 0 ? 0 : 1) - (value === undefined ? 1 : 0)
    return size === 0 ? EMPTY : { size, root }
  }

  delete<T>(t: Table<T>, key: string): Table<T> {
    return this.set(t, key, undefined)
  }
}

/** `t` with `key` set (or removed when `value` is undefined), for a single update outside a draft. */
export function put<T>(t: Table<T>, key: string, value: T | undefined): Table<T> {
  return new TableEditor().set(t, key, value)
}

/** `t` without `key`. */
export function drop<T>(t: Table<T>, key: string): Table<T> {
  return put(t, key, undefined)
}

/** A table of `entries` (later keys win). */
export function tableOf<T>(entries: Iterable<readonly [string, T]>): Table<T> {
  const ed = new TableEditor()
  let t = emptyTable<T>()
  for (const [k, v] of entries) t = ed.set(t, k, v)
  return t
}
