import { INVARIANTS, type ViolationSink } from './violation.js'

/** A process's projection (or one resource of it) summarized at the revision it has applied. */
export interface ProjectionReport {
  process: string
  /** `pods`, `nodes`, `replicasets`, or absent for a whole projection. */
  resource?: string
  rev: number
  /** Any value that is equal for equal contents: a hex digest, or a number (`ObjectSetHash.sum`). */
  hash: string | number
  at?: number
}

interface Expected {
  process: string
  hash: string | number
}

const show = (h: string | number) => (typeof h === 'number' ? h.toString(16).padStart(12, '0') : h.slice(0, 12))

/**
 * The projections of every process agree at the same revision: the first report for a
 * (resource, revision) sets the expected hash, every later one must match. Reports may come in any
 * order; `prune` forgets revisions every process has passed.
 */
export class ProjectionsAgree {
  private readonly first = new Map<string, Map<number, Expected>>()
  reports = 0

  constructor(private readonly sink: ViolationSink) {}

  report(r: ProjectionReport): void {
    this.reports++
    const resource = r.resource ?? '*'
    let byRev = this.first.get(resource)
    if (!byRev) this.first.set(resource, (byRev = new Map()))
    const seen = byRev.get(r.rev)
    if (!seen) {
      byRev.set(r.rev, { process: r.process, hash: r.hash })
      return
    }
    if (seen.hash === r.hash) return
    const what = r.resource ? `${r.resource} projection` : 'projection'
    this.sink({ invariant: INVARIANTS.projectionsAgree, rev: r.rev, at: r.at, message: `${r.process}'s ${what} at rev ${r.rev} hashes ${show(r.hash)}, ${seen.process}'s ${show(seen.hash)}` })
  }

  /** Forgets expectations below `rev` (every process has reported past it), of one resource or all. */
  prune(rev: number, resource?: string): void {
    for (const [name, byRev] of this.first) {
      if (resource !== undefined && name !== resource) continue
      for (const r of byRev.keys()) if (r < rev) byRev.delete(r)
    }
  }

  get size(): number {
    let n = 0
    for (const m of this.first.values()) n += m.size
    return n
  }
}
