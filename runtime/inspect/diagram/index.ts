import type { StateValueData } from '../../../events/inspect.js'
import { toDot } from './dot.js'
import { toMermaid } from './mermaid.js'
import { diagramModel } from './model.js'
import { toSvg } from './svg.js'

export { diagramModel, goDuration, mergedEdges, rootHandlers, type DiagramEdge, type DiagramModel, type DiagramState } from './model.js'
export { toDot } from './dot.js'
export { toMermaid } from './mermaid.js'
export { toSvg } from './svg.js'

export const DIAGRAM_FORMATS = ['mermaid', 'dot', 'svg', 'json'] as const
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number]

export const isDiagramFormat = (f: string): f is DiagramFormat => (DIAGRAM_FORMATS as readonly string[]).includes(f)

/** The machine of `definition` (`machine.toJSON()`) in `format`, `value`'s states marked current. */
export function renderDiagram(format: DiagramFormat, definition: unknown, value?: StateValueData, delays?: Record<string, number>): string {
  const model = diagramModel(definition, value, delays)
  switch (format) {
    case 'mermaid':
      return toMermaid(model)
    case 'dot':
      return toDot(model)
    case 'svg':
      return toSvg(model)
    case 'json':
      return JSON.stringify(model, null, 2) + '\n'
  }
}

export const DIAGRAM_CONTENT_TYPES: Record<DiagramFormat, string> = {
  mermaid: 'text/plain; charset=utf-8',
  dot: 'text/vnd.graphviz; charset=utf-8',
  svg: 'image/svg+xml',
  json: 'application/json',
}
