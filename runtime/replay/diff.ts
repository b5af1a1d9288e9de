/**
 * What changed between two states of the cluster, with field paths as people read them:
 * `spec.nodeName`, `status.conditions[Ready].status`, `spec.taints[node.kubernetes.io/unreachable:NoExecute]`.
 * Pure: objects in, changes out.
 */

/** One field that differs. `from`/`to` absent: the field did not exist on that side. */
export interface FieldChange {
  path: string
  from?: unknown
  to?: unknown
}

export interface ObjectDiff {
  /** `pod/default/web-1`, `node/node-2`. */
  object: string
  /** `metadata.resourceVersion` on each side. */
  fromRev?: number
  toRev?: number
  changes: FieldChange[]
}

export interface ClusterDiff {
  from: number
  to: number
  added: { object: string; rev?: number }[]
  changed: ObjectDiff[]
  removed: { object: string; rev?: number }[]
}

/** Fields that change with every event and say nothing themselves. */
const IGNORED = new Set(['metadata.resourceVersion', 'metadata.managedFields'])

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * How the items of a list are told apart: Kubernetes' merge keys where the API has one (`name`
 * for containers and env, `type` for conditions and addresses), `key:effect` for taints; else the
 * index.
 */
function itemKeys(list: unknown[]): string[] | undefined {
  if (list.length === 0 || !list.every(isObj)) return undefined
  const items = list as Obj[]
  const unique = (keys: (string | undefined)[]) => (keys.every((k): k is string => typeof k === 'string' && k !== '') && new Set(keys).size === keys.length ? keys : undefined)
  return (
    unique(items.map((i) => i.name as string | undefined)) ??
    unique(items.map((i) => i.type as string | undefined)) ??
    unique(items.map((i) => (typeof i.key === 'string' && typeof i.effect === 'string' ? `${i.key}:${i.effect}` : undefined))) ??
    unique(items.map((i) => (typeof i.key === 'string' ? i.key : undefined)))
  )
}

const join = (base: string, key: string) => (base ? `${base}.${key}` : key)
const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b)

export function diffObjects(a: unknown, b: unknown, path = ''): FieldChange[] {
  if (IGNORED.has(path)) return []
  if (same(a, b)) return []
  // A map or keyed list appearing or disappearing reads better field by field (`status.podIP: "" → 10.0.0.1`).
  if (a === undefined && (isObj(b) || (Array.isArray(b) && itemKeys(b)))) return diffObjects(Array.isArray(b) ? [] : {}, b, path)
  if (b === undefined && (isObj(a) || (Array.isArray(a) && itemKeys(a)))) return diffObjects(a, Array.isArray(a) ? [] : {}, path)
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    return keys.flatMap((k) => diffObjects(a[k], b[k], join(path, k)))
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = itemKeys(a)
    const kb = itemKeys(b)
    // Keyed lists are compared item by item; lists of scalars or without keys, index by index
    // when only values changed, whole when their length did.
    if ((ka || a.length === 0) && (kb || b.length === 0) && (ka || kb)) {
      const byA = new Map((ka ?? []).map((k, i) => [k, a[i]]))
      const byB = new Map((kb ?? []).map((k, i) => [k, b[i]]))
      const keys = [...byA.keys(), ...[...byB.keys()].filter((k) => !byA.has(k))]
      // An item added or removed is one change; one present on both sides, compared field by field.
      return keys.flatMap((k) => (byA.has(k) && byB.has(k) ? diffObjects(byA.get(k), byB.get(k), `${path}[${k}]`) : [leaf(`${path}[${k}]`, byA.get(k), byB.get(k))]))
    }
    if (a.length === b.length && a.every(isObj)) return a.flatMap((x, i) => diffObjects(x, b[i], `${path}[${i}]`))
  }
  return [leaf(path, a, b)]
}

const leaf = (path: string, a: unknown, b: unknown): FieldChange => ({ path, ...(a !== undefined ? { from: a } : {}), ...(b !== undefined ? { to: b } : {}) })

/** A value as the diff prints it: strings bare, `""` for empty or absent opposite a string, JSON otherwise. */
export function formatValue(v: unknown, other?: unknown): string {
  if (v === undefined) return typeof other === 'string' ? '""' : '<none>'
  if (typeof v === 'string') return v === '' ? '""' : v
  return JSON.stringify(v)
}

/** `status.conditions[Ready].status: True → Unknown` */
export function formatChange(c: FieldChange): string {
  return `${c.path}: ${formatValue(c.from, c.to)} → ${formatValue(c.to, c.from)}`
}

const rvOf = (o: unknown) => {
  const rv = Number((o as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion)
  return Number.isFinite(rv) && rv > 0 ? rv : undefined
}

/** Objects keyed by `kind/namespace/name`, at two revisions. */
export function diffClusters(from: number, to: number, a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): ClusterDiff {
  const out: ClusterDiff = { from, to, added: [], changed: [], removed: [] }
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort()
  for (const object of keys) {
    const x = a.get(object)
    const y = b.get(object)
    if (x === undefined) out.added.push({ object, rev: rvOf(y) })
    else if (y === undefined) out.removed.push({ object, rev: rvOf(x) })
    else if (x !== y) {
      // Deleted and created again under the same name shows as a changed metadata.uid.
      const changes = diffObjects(x, y)
      if (changes.length > 0) out.changed.push({ object, fromRev: rvOf(x), toRev: rvOf(y), changes })
    }
  }
  return out
}
