import { mergedEdges, rootHandlers, type DiagramModel, type DiagramState } from './model.js'

/**
 * Mermaid `flowchart` text of a machine. Not `stateDiagram-v2`: it cannot draw a transition
 * between inner states of different composite states, which every nested machine has. Composite
 * states are subgraphs, parallel regions dashed subgraphs, the initial state is pointed at by a
 * small circle, current states carry the `current` class.
 */
export function toMermaid(m: DiagramModel): string {
  const ids = new Map(m.states.map((s, i) => [s.id, `s${i}`]))
  const byId = new Map(m.states.map((s) => [s.id, s]))
  const q = (t: string) => `"${t.replace(/"/g, '#quot;')}"`
  const lines = ['flowchart TB', '  classDef current fill:#ffe082,stroke:#e65100,stroke-width:2px', '  classDef initial fill:#333,stroke:#333']
  const isRegion = (s: DiagramState) => s.parent !== undefined && byId.get(s.parent)?.kind === 'parallel'

  const draw = (s: DiagramState, indent: string) => {
    const id = ids.get(s.id)!
    if (s.children.length === 0) {
      lines.push(`${indent}${id}${s.kind === 'final' ? `(((${q(s.key)})))` : `(${q(s.key)})`}`)
      return
    }
    lines.push(`${indent}subgraph ${id}[${q(s.kind === 'parallel' ? `${s.key} (parallel)` : s.key)}]`)
    if (s.initial && ids.has(s.initial)) lines.push(`${indent}  ${id}_init((" ")):::initial --> ${ids.get(s.initial)}`)
    for (const c of s.children) draw(byId.get(c)!, `${indent}  `)
    lines.push(`${indent}end`)
    if (isRegion(s)) lines.push(`${indent}style ${id} stroke-dasharray: 5 5`)
  }
  const root = byId.get(m.root)!
  // A machine without states is drawn as one state with its handlers as loops.
  if (root.children.length === 0) lines.push(`  ${ids.get(root.id)}(${q(root.key)})`)
  if (root.initial && ids.has(root.initial)) lines.push(`  ${ids.get(root.id)}_init((" ")):::initial --> ${ids.get(root.initial)}`)
  for (const c of root.children) draw(byId.get(c)!, '  ')
  for (const e of mergedEdges(m)) {
    if (root.children.length > 0 && (e.from === m.root || e.to === m.root)) continue
    const from = ids.get(e.from)!
    const to = ids.get(e.to)!
    lines.push(`  ${from} ${e.targetless ? '-.->' : '-->'}|${q(e.label)}| ${to}`)
  }
  const current = m.states.filter((s) => s.current && (s.id !== m.root || root.children.length === 0)).map((s) => ids.get(s.id))
  if (current.length) lines.push(`  class ${current.join(',')} current`)
  const note = rootHandlers(m)
  if (note) lines.push(`  root_on[${q(note)}]`, '  style root_on fill:#f5f5f5,stroke:#999,stroke-dasharray: 3 3')
  return lines.join('\n') + '\n'
}
