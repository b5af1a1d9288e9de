import { mergedEdges, rootHandlers, type DiagramModel, type DiagramState } from './model.js'

/**
 * Graphviz DOT of a machine: composite states are clusters (parallel regions dashed), edges to a
 * composite state end at its border (`lhead`), current states are filled. `dot -Tsvg` draws it.
 */
export function toDot(m: DiagramModel): string {
  const byId = new Map(m.states.map((s) => [s.id, s]))
  const ids = new Map(m.states.map((s, i) => [s.id, `s${i}`]))
  const q = (t: string) => `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
  const composite = (s: DiagramState) => s.children.length > 0
  const isRegion = (s: DiagramState) => s.parent !== undefined && byId.get(s.parent)?.kind === 'parallel'
  /** A node inside a cluster to attach edges to: its initial dot, or the first node below it. */
  const anchor = (s: DiagramState): string => (composite(s) ? (s.kind === 'parallel' ? anchor(byId.get(s.children[0])!) : `${ids.get(s.id)}_init`) : ids.get(s.id)!)
  const lines = [
    `digraph ${q(m.machine)} {`,
    '  compound=true; rankdir=TB; fontname="Helvetica"; fontsize=11;',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#666666"];',
  ]
  const draw = (s: DiagramState, indent: string) => {
    const id = ids.get(s.id)!
    if (!composite(s)) {
      const attrs = [`label=${q(s.key)}`, `id=${q(s.id)}`]
      if (s.kind === 'final') attrs.push('peripheries=2')
      if (s.current) attrs.push('style="rounded,filled,bold"', 'fillcolor="#ffe082"', 'color="#e65100"')
      lines.push(`${indent}${id} [${attrs.join(', ')}];`)
      return
    }
    lines.push(`${indent}subgraph cluster_${id} {`)
    lines.push(`${indent}  label=${q(s.kind === 'parallel' ? `${s.key} (parallel)` : s.key)}; id=${q(s.id)}; labeljust=l;`)
    lines.push(`${indent}  style=${q(isRegion(s) ? 'dashed,rounded' : 'rounded')};${s.current ? ' color="#e65100"; penwidth=2;' : ''}`)
    if (s.kind !== 'parallel') {
      lines.push(`${indent}  ${id}_init [shape=point, width=0.1, label=""];`)
      if (s.initial) lines.push(`${indent}  ${id}_init -> ${anchor(byId.get(s.initial)!)}${composite(byId.get(s.initial)!) ? ` [lhead=cluster_${ids.get(s.initial)}]` : ''};`)
    }
    for (const c of s.children) draw(byId.get(c)!, `${indent}  `)
    lines.push(`${indent}}`)
  }
  const root = byId.get(m.root)!
  if (root.children.length === 0) {
    // A machine without states: one state, its handlers as loops.
    lines.push(`  ${ids.get(root.id)} [label=${q(root.key)}, id=${q(root.id)}${root.current ? ', style="rounded,filled,bold", fillcolor="#ffe082", color="#e65100"' : ''}];`)
  }
  if (root.kind !== 'parallel' && root.initial) {
    lines.push(`  ${ids.get(root.id)}_init [shape=point, width=0.1, label=""];`)
    lines.push(`  ${ids.get(root.id)}_init -> ${anchor(byId.get(root.initial)!)};`)
  }
  for (const c of root.children) draw(byId.get(c)!, '  ')
  for (const e of mergedEdges(m)) {
    if (root.children.length > 0 && (e.from === m.root || e.to === m.root)) continue
    const from = byId.get(e.from)!
    const to = byId.get(e.to)!
    const attrs = [`label=${q(e.label)}`]
    if (composite(from)) attrs.push(`ltail=cluster_${ids.get(from.id)}`)
    if (composite(to) && from !== to) attrs.push(`lhead=cluster_${ids.get(to.id)}`)
    if (e.targetless) attrs.push('style=dashed')
    lines.push(`  ${anchor(from)} -> ${anchor(to)} [${attrs.join(', ')}];`)
  }
  const note = rootHandlers(m)
  if (note) lines.push(`  root_on [shape=note, style=dashed, fontsize=9, label=${q(note)}];`)
  lines.push('}')
  return lines.join('\n') + '\n'
}
