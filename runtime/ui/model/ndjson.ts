/**
 * Splits a stream of text chunks into complete lines (NDJSON, Kubernetes watch streams): a line
 * cut across two chunks is held until its newline arrives.
 */
export class LineSplitter {
  private rest = ''

  push(chunk: string): string[] {
    const text = this.rest + chunk
    const lines = text.split('\n')
    this.rest = lines.pop() ?? ''
    return lines.filter((l) => l.trim() !== '')
  }

  /** What is left when the stream ends (a last line without newline). */
  end(): string[] {
    const last = this.rest.trim()
    this.rest = ''
    return last ? [last] : []
  }
}
