/**
 * Which states of a drawn statechart are active: the diagram marks every state node with
 * `data-state-id` (XState's state node id, `<machine>.<region>.<state>`), and a snapshot's value
 * (`'Ready'`, `{ health: 'Ready', taint: 'none' }`) names the active leaves and their ancestors.
 * The page toggles the `current` class from these sets, so a transition only touches the states
 * it enters and exits.
 */
import type { StateValueData } from '../../../events/inspect.js'

/** Dotted paths of every active state below the root: `{ a: 'b' }` → `['a', 'a.b']`. */
export function activePaths(value: StateValueData | undefined, prefix = ''): string[] {
  if (value === undefined || value === null) return []
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value]
  const out: string[] = []
  for (const [region, sub] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${region}` : region
    out.push(path, ...activePaths(sub, path))
  }
  return out
}

/**
 * The `data-state-id`s of the active states among `ids` (the ids the diagram holds): a path
 * matches an id equal to it, or ending in `.<path>` under the machine's root id.
 */
export function activeIds(value: StateValueData | undefined, ids: Iterable<string>, rootId?: string): Set<string> {
  const paths = activePaths(value)
  const all = [...ids]
  const out = new Set<string>()
  for (const p of paths) {
    const exact = rootId !== undefined ? `${rootId}.${p}` : undefined
    const hit = (exact !== undefined && all.find((id) => id === exact)) || all.find((id) => id === p) || all.find((id) => id.endsWith(`.${p}`) && id.split('.').length === p.split('.').length + 1)
    if (hit) out.add(hit)
  }
  return out
}

/** States entered and exited between two active sets: what the page animates. */
export function transitionDiff(before: Set<string>, after: Set<string>): { entered: string[]; exited: string[] } {
  return { entered: [...after].filter((id) => !before.has(id)), exited: [...before].filter((id) => !after.has(id)) }
}

/** `Ready` or `health: Ready, taint: none`: a state value in one line. */
export function formatValue(value: StateValueData | undefined): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  return Object.entries(value)
    .map(([k, v]) => (typeof v === 'string' ? `${k}: ${v}` : `${k}: {${formatValue(v)}}`))
    .join(', ')
}
