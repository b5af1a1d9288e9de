import dagre from '@dagrejs/dagre'
import { mergedEdges, rootHandlers, type DiagramEdge, type DiagramModel, type DiagramState } from './model.js'

/**
 * A self-contained SVG of a machine, laid out by dagre (compound graph: composite states are
 * clusters). For the page to restyle it without re-rendering, every state is
 * `<g class="state <kind> [region] [current]" data-state-id="<XState state id>">` with its
 * `<rect>` and `<text>`; edges are `<g class="edge" data-from data-to data-event>`. Toggling the
 * `current` class on the state groups moves the highlight (the embedded stylesheet draws it).
 */

const FONT = 12
const CHAR = 7
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

interface Rect {
  x: number
  y: number
  width: number
  height: number
}
interface Pt {
  x: number
  y: number
}

const inside = (p: Pt, r: Rect) => Math.abs(p.x - r.x) <= r.width / 2 + 0.5 && Math.abs(p.y - r.y) <= r.height / 2 + 0.5

/** Where the segment a→b crosses the border of r (a outside, b inside), by bisection. */
function crossing(a: Pt, b: Pt, r: Rect): Pt {
  let lo = a
  let hi = b
  for (let i = 0; i < 24; i++) {
    const mid = { x: (lo.x + hi.x) / 2, y: (lo.y + hi.y) / 2 }
    if (inside(mid, r)) hi = mid
    else lo = mid
  }
  return hi
}

/** Cuts a polyline to start where it leaves `from` and end where it enters `to` (composite states). */
export function clip(points: Pt[], from: Rect | undefined, to: Rect | undefined): Pt[] {
  let pts = points
  if (to) {
    const i = pts.findIndex((p, k) => k > 0 && inside(p, to) && !inside(pts[k - 1], to))
    if (i > 0) pts = [...pts.slice(0, i), crossing(pts[i - 1], pts[i], to)]
  }
  if (from) {
    let j = -1
    for (let k = pts.length - 2; k >= 0; k--) {
      if (inside(pts[k], from) && !inside(pts[k + 1], from)) {
        j = k
        break
      }
    }
    if (j >= 0) pts = [crossing(pts[j + 1], pts[j], from), ...pts.slice(j + 1)]
  }
  return pts
}

const STYLE = `
.kstate-statechart{font-family:Helvetica,Arial,sans-serif;font-size:${FONT}px}
.state>rect{fill:#fff;stroke:#607d8b;stroke-width:1.2}
.state.compound>rect,.state.parallel>rect{fill:#fafafa}
.state.region>rect{fill:none;stroke-dasharray:6 4}
.state.final>rect{stroke-width:3}
.state.current>rect{fill:#ffe082;stroke:#e65100;stroke-width:2.2}
.state.compound.current>rect,.state.parallel.current>rect,.state.region.current>rect{fill:#fff8e1}
.state>text{fill:#263238}
.state.compound>text,.state.parallel>text,.state.region>text{font-weight:bold;font-size:${FONT - 1}px}
.edge>path{fill:none;stroke:#78909c;stroke-width:1.1}
.edge.targetless>path{stroke-dasharray:4 3}
.edge>text{fill:#455a64;font-size:${FONT - 2}px}
.initial{fill:#37474f}
.note>rect{fill:#f5f5f5;stroke:#9e9e9e;stroke-dasharray:3 3}
.note>text{fill:#555;font-size:${FONT - 2}px}
`

export function toSvg(m: DiagramModel): string {
  const byId = new Map(m.states.map((s) => [s.id, s]))
  const root = byId.get(m.root)!
  const flat = root.children.length === 0
  const composite = (s: DiagramState) => s.children.length > 0
  const isRegion = (s: DiagramState) => s.parent !== undefined && byId.get(s.parent)?.kind === 'parallel'
  const key = (id: string) => `n:${id}`
  const initKey = (id: string) => `i:${id}`

  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true })
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 40, edgesep: 12, marginx: 12, marginy: 12 })
  g.setDefaultEdgeLabel(() => ({}))

  // The states drawn: the root only when the machine has no states of its own.
  const drawn = flat ? [root] : m.states.filter((s) => s.id !== m.root)
  for (const s of drawn) {
    const w = Math.max(60, s.key.length * CHAR + 24)
    g.setNode(key(s.id), composite(s) ? { label: s.key, paddingTop: 24 } : { label: s.key, width: w, height: 30 })
    if (s.parent && s.parent !== m.root && !flat) g.setParent(key(s.id), key(s.parent))
    if (composite(s) && s.kind !== 'parallel') {
      g.setNode(initKey(s.id), { width: 10, height: 10 })
      g.setParent(initKey(s.id), key(s.id))
    }
  }
  if (!flat && root.initial && root.kind !== 'parallel') g.setNode(initKey(root.id), { width: 10, height: 10 })
  /** A leaf node to attach an edge to a state: itself, or the initial dot / first leaf inside it. */
  const anchor = (s: DiagramState): string => (!composite(s) || (flat && s === root) ? key(s.id) : s.kind === 'parallel' ? anchor(byId.get(s.children[0])!) : initKey(s.id))

  const initEdges: { from: string; to: DiagramState; name: string }[] = []
  for (const s of [root, ...drawn]) {
    if (!s.initial || s.kind === 'parallel' || (flat && s === root)) continue
    const name = `init:${s.id}`
    const target = byId.get(s.initial)!
    g.setEdge(initKey(s.id), anchor(target), { minlen: 1 }, name)
    initEdges.push({ from: initKey(s.id), to: target, name })
  }
  const edges: { e: DiagramEdge; name: string; from: string; to: string }[] = []
  mergedEdges(m).forEach((e, i) => {
    if (!flat && (e.from === m.root || e.to === m.root)) return
    const from = byId.get(e.from)!
    const to = byId.get(e.to)!
    const name = `e${i}`
    const f = anchor(from)
    const t = anchor(to)
    g.setEdge(f, t, { label: e.label, width: e.label.length * (CHAR - 1) + 6, height: FONT + 2, labelpos: 'c' }, name)
    edges.push({ e, name, from: f, to: t })
  })
  const note = rootHandlers(m)
  if (note) g.setNode('note', { width: Math.min(note.length, 90) * (CHAR - 1) + 16, height: Math.ceil(note.length / 90) * (FONT + 4) + 12 })

  dagre.layout(g)

  const rectOf = (id: string): Rect | undefined => {
    const n = g.node(key(id)) as unknown as Rect | undefined
    return n && { x: n.x, y: n.y, width: n.width, height: n.height }
  }
  const out: string[] = []
  const gw = Math.ceil((g.graph() as { width?: number }).width ?? 100)
  const gh = Math.ceil((g.graph() as { height?: number }).height ?? 100)
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="kstate-statechart" data-machine="${esc(m.machine)}" width="${gw}" height="${gh}" viewBox="0 0 ${gw} ${gh}">`,
    `<style>${STYLE}</style>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#78909c"/></marker></defs>',
  )
  // Outer states first, so inner ones and edges are drawn over them.
  const order = [...drawn].sort((a, b) => a.depth - b.depth)
  for (const s of order) {
    const r = rectOf(s.id)
    if (!r) continue
    const cls = ['state', s.kind, ...(isRegion(s) ? ['region'] : []), ...(s.current ? ['current'] : [])].join(' ')
    const x = r.x - r.width / 2
    const y = r.y - r.height / 2
    const text = composite(s) && !(flat && s === root)
      ? `<text x="${(x + 8).toFixed(1)}" y="${(y + 16).toFixed(1)}">${esc(s.kind === 'parallel' ? `${s.key} ∥` : s.key)}</text>`
      : `<text x="${r.x.toFixed(1)}" y="${(r.y + FONT / 2 - 2).toFixed(1)}" text-anchor="middle">${esc(s.key)}</text>`
    out.push(`<g class="${cls}" data-state-id="${esc(s.id)}"><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${r.width.toFixed(1)}" height="${r.height.toFixed(1)}" rx="8" ry="8"/>${text}</g>`)
  }
  for (const id of g.nodes()) {
    if (!id.startsWith('i:')) continue
    const n = g.node(id) as unknown as Rect
    out.push(`<circle class="initial" cx="${n.x.toFixed(1)}" cy="${n.y.toFixed(1)}" r="4"/>`)
  }
  const path = (pts: Pt[]) => pts.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('')
  for (const ie of initEdges) {
    const pts = (g.edge(ie.from, anchor(ie.to), ie.name) as { points?: Pt[] })?.points ?? []
    const clipped = clip(pts, undefined, composite(ie.to) ? rectOf(ie.to.id) : undefined)
    out.push(`<g class="edge initial-edge"><path d="${path(clipped)}" marker-end="url(#arrow)"/></g>`)
  }
  for (const { e, name, from, to } of edges) {
    const data = g.edge(from, to, name) as { points?: Pt[]; x?: number; y?: number }
    const src = byId.get(e.from)!
    const dst = byId.get(e.to)!
    const label = data?.x !== undefined ? `<text x="${data.x.toFixed(1)}" y="${(data.y! + 4).toFixed(1)}" text-anchor="middle">${esc(e.label)}</text>` : ''
    let d: string
    const box = from === to ? (g.node(from) as unknown as Rect) : undefined
    if (box) {
      // A self loop: an arc on the node's right, out to where dagre put the label.
      const x = box.x + box.width / 2
      const reach = Math.max(x + 24, (data?.x ?? x + 40) - (e.label.length * (CHAR - 1)) / 2)
      d = `M${x.toFixed(1)},${(box.y - 6).toFixed(1)}C${reach.toFixed(1)},${(box.y - 26).toFixed(1)} ${reach.toFixed(1)},${(box.y + 26).toFixed(1)} ${x.toFixed(1)},${(box.y + 6).toFixed(1)}`
    } else {
      d = path(clip(data?.points ?? [], composite(src) && src !== dst ? rectOf(src.id) : undefined, composite(dst) && src !== dst ? rectOf(dst.id) : undefined))
    }
    out.push(`<g class="edge${e.targetless ? ' targetless' : ''}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" data-event="${esc(e.event)}"><path d="${d}" marker-end="url(#arrow)"/>${label}</g>`)
  }
  if (note) {
    const n = g.node('note') as unknown as Rect
    const x = n.x - n.width / 2
    const y = n.y - n.height / 2
    const rows = note.match(/.{1,90}(,\s|$)/g) ?? [note]
    const texts = rows.map((row, i) => `<text x="${(x + 8).toFixed(1)}" y="${(y + 16 + i * (FONT + 4)).toFixed(1)}">${esc(row.trim())}</text>`).join('')
    out.push(`<g class="note"><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${n.width.toFixed(1)}" height="${n.height.toFixed(1)}" rx="4"/>${texts}</g>`)
  }
  out.push('</svg>')
  return out.join('\n') + '\n'
}
