/**
 * When the node lifecycle controller next looks at each node: a short list of time slots, each
 * with the nodes filed under it. A monitor pass takes the slots that have begun, ticks the nodes
 * whose grace has run out, and files the others again under their new deadline. A healthy node
 * whose lease keeps being renewed is looked at about once per grace period instead of at every
 * pass, and a pass never walks all 5,000 nodes.
 *
 * Slots are deadlines rounded down to the monitor period (a few slots, whatever the number of
 * nodes): a node is at worst looked at one pass early, found not due, and filed again.
 * Filing is lazy: a node whose deadline moves later (a renewed lease) is found in its old slot
 * and moved then; a node filed again elsewhere leaves a stale entry behind, which the pass skips
 * (the controller keeps the slot each node is filed under).
 */

export interface Wakeup {
  /** The slot: deadlines from `at` (inclusive) to `at` + period; `-Infinity` for "at the next pass". */
  at: number
  nodes: readonly string[]
}

/** Sorted by `at`. */
export type Wakeups = readonly Wakeup[]

/** The slot of a deadline; `Infinity` (never) stays unfiled, `-Infinity` is the next pass. */
export function slotOf(deadline: number, periodMs: number): number {
  if (!Number.isFinite(deadline)) return deadline
  return Math.floor(deadline / periodMs) * periodMs
}

/** The slots that begin before `now` (their nodes may be due), and the rest. */
export function takeBefore(w: Wakeups, now: number): { taken: Wakeups; rest: Wakeups } {
  let i = 0
  while (i < w.length && w[i].at < now) i++
  return i === 0 ? { taken: [], rest: w } : { taken: w.slice(0, i), rest: w.slice(i) }
}

/** `w` with `filed` (slot → nodes) added; a slot's existing nodes keep their order, new ones follow. */
export function fileAll(w: Wakeups, filed: ReadonlyMap<number, readonly string[]>): Wakeups {
  if (filed.size === 0) return w
  const out: Wakeup[] = []
  const added = [...filed.entries()].filter(([at, nodes]) => at !== Infinity && nodes.length > 0).sort((a, b) => a[0] - b[0])
  let j = 0
  for (const slot of w) {
    while (j < added.length && added[j][0] < slot.at) out.push({ at: added[j][0], nodes: added[j++][1] })
    if (j < added.length && added[j][0] === slot.at) out.push({ at: slot.at, nodes: [...slot.nodes, ...added[j++][1]] })
    else out.push(slot)
  }
  while (j < added.length) out.push({ at: added[j][0], nodes: added[j++][1] })
  return out
}

/** `w` with one node filed under `at`. */
export const fileOne = (w: Wakeups, at: number, node: string): Wakeups => fileAll(w, new Map([[at, [node]]]))
