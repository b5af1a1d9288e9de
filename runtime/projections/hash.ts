import { createHash, type Hash } from 'node:crypto'
import type { ClusterStore } from './cluster-store.js'

/**
 * A content hash of a projection: the same cluster state gives the same hash however it was built
 * (full replay, snapshot + tail, another machine) and whatever order the objects' keys are in.
 * Covered: the revision, every subject's last revision, each resource's revision and objects.
 * Deterministic simulation prints it; `kstate replay --verify` and the snapshot tests compare it.
 */
export function projectionHash(store: ClusterStore): string {
  const h = createHash('sha256')
  h.update(`rev ${store.rev}\n`)
  const subjects = [...store.subjectRevisions()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [subject, rev] of subjects) h.update(`s ${subject} ${rev}\n`)
  hashResource(h, 'pods', store.pods)
  hashResource(h, 'nodes', store.nodes)
  hashResource(h, 'replicasets', store.replicasets)
  return h.digest('hex')
}

function hashResource(h: Hash, name: string, r: { rev: number; keys(): IterableIterator<string>; get(key: string): unknown }): void {
  h.update(`r ${name} ${r.rev}\n`)
  for (const key of [...r.keys()].sort()) h.update(`o ${JSON.stringify(key)} ${canonicalJson(r.get(key))}\n`)
}

/**
 * JSON with object keys sorted, so key order never changes the text. Keys whose value is
 * `undefined` are left out, as JSON.stringify does.
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return v === undefined ? 'null' : JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`
  const keys = Object.keys(v).sort()
  let out = '{'
  for (const k of keys) {
    const x = (v as Record<string, unknown>)[k]
    if (x === undefined) continue
    if (out.length > 1) out += ','
    out += `${JSON.stringify(k)}:${canonicalJson(x)}`
  }
  return out + '}'
}
