/**
 * kubectl's human-readable table: upper-case headers, then one line per row, laid out by Go's
 * text/tabwriter exactly as kubectl configures it (minwidth 6, padding 3, pad with spaces).
 */

/** kubectl's printers.GetNewTabWriter: tabwriter.NewWriter(out, 6, 4, 3, ' ', 0). */
const MIN_WIDTH = 6
const PADDING = 3

/**
 * The table kubectl prints for `get`: headers upper-cased, cells cut at their first line break
 * (`...` appended) as kubectl's printRows does. Returns the lines joined by `\n`, without a final
 * newline. A column is as wide as its widest cell plus 3 (at least 6); the last column is never
 * padded, so a row has trailing spaces only where its last cell is empty, as in kubectl.
 */
export function formatTable(headers: string[], rows: string[][]): string {
  const lines = [headers.map((h) => h.toUpperCase()), ...rows.map((row) => row.map(printCell))]
  return tabwrite(lines).join('\n')
}

/** kubectl's printRows: keep the first line of a cell, and escape ESC as WriteEscaped does. */
function printCell(cell: string): string {
  const cut = cell.search(/[\f\n\r]/)
  const text = cut < 0 ? cell : `${cell.slice(0, cut)}...`
  return text.replaceAll('\x1b', '^[')
}

/** Display width as tabwriter counts it: one per code point. */
function textWidth(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

/**
 * Go's tabwriter.Writer.format: every cell but a line's last is terminated by a tab and belongs to a
 * column; a column block is a run of consecutive lines that have a cell in that column, and its
 * width is fixed per block. With rectangular rows that is one block per column.
 */
function tabwrite(lines: string[][]): string[] {
  const out: string[] = []
  const widths: number[] = []

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i]
      let text = ''
      line.forEach((cell, j) => {
        text += cell
        if (j < widths.length) text += ' '.repeat(Math.max(0, widths[j] - textWidth(cell)))
      })
      out.push(text)
    }
  }

  const format = (line0: number, line1: number) => {
    const column = widths.length
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i].length - 1) continue
      // A cell in this column starts a block: print the lines before it, then size the block.
      writeLines(line0, i)
      line0 = i
      let width = MIN_WIDTH
      for (; i < line1; i++) {
        const line = lines[i]
        if (column >= line.length - 1) break
        width = Math.max(width, textWidth(line[column]) + PADDING)
      }
      widths.push(width)
      format(line0, i)
      widths.pop()
      line0 = i
    }
    writeLines(line0, line1)
  }

  format(0, lines.length)
  return out
}
