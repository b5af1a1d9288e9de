/**
 * Which cards of a virtualized grid are in view: the page keeps only those in the DOM, so 1,000
 * node cards cost what 50 do. Cards have a fixed size; rows scroll.
 */
export interface GridInput {
  count: number
  /** Inner width of the scrolling container, px. */
  width: number
  viewportHeight: number
  scrollTop: number
  cardWidth: number
  cardHeight: number
  gap: number
  /** Extra rows rendered above and below the viewport, so fast scrolling shows no blanks. */
  overscanRows?: number
}

export interface GridWindow {
  columns: number
  rows: number
  /** Height of the whole grid, px (the scroll extent). */
  height: number
  /** Card indexes in view: [first, end). */
  first: number
  end: number
}

export function gridWindow(g: GridInput): GridWindow {
  const columns = Math.max(1, Math.floor((g.width + g.gap) / (g.cardWidth + g.gap)))
  const rows = Math.ceil(g.count / columns)
  const rowH = g.cardHeight + g.gap
  const over = g.overscanRows ?? 2
  const firstRow = Math.max(0, Math.floor(g.scrollTop / rowH) - over)
  const endRow = Math.min(rows, Math.ceil((g.scrollTop + g.viewportHeight) / rowH) + over)
  return { columns, rows, height: Math.max(0, rows * rowH - g.gap), first: Math.min(g.count, firstRow * columns), end: Math.min(g.count, endRow * columns) }
}

/** Top-left corner of card `i`, px. */
export function cardPosition(i: number, columns: number, g: Pick<GridInput, 'cardWidth' | 'cardHeight' | 'gap'>): { left: number; top: number } {
  return { left: (i % columns) * (g.cardWidth + g.gap), top: Math.floor(i / columns) * (g.cardHeight + g.gap) }
}
