import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs'
import { decodeEvent } from '../../events/index.js'
import type { RawRecord } from '../replay/log-reader.js'
import { encodeFrame, encodeHeader, END_MARKER, ExportTally, type ExportHeader, type RecordedFlags } from './format.js'

export type { RawRecord }

function write(out: WriteStream, chunk: Buffer): Promise<void> | undefined {
  if (out.write(chunk)) return undefined
  return new Promise((r) => out.once('drain', () => r()))
}

function close(out: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject)
    out.end(() => resolve())
  })
}

/**
 * Writes `records` (revision order) as an export file at `path`. The header carries counts known
 * only at the end, so frames go to a side file first and the file is assembled after; it appears
 * at `path` only when complete (written as `path.partial`, then renamed).
 */
export async function writeExportFile(
  path: string,
  records: AsyncIterable<RawRecord>,
  meta: { createdBy: string; until?: number; source?: string; flags?: RecordedFlags; now?: () => number },
  onRecord?: (rev: number) => void,
): Promise<ExportHeader> {
  const body = `${path}.partial-frames`
  const partial = `${path}.partial`
  try {
    const tally = new ExportTally()
    const frames = createWriteStream(body, { mode: 0o600 })
    let last = 0
    for await (const r of records) {
      if (r.rev <= last) throw new Error(`the log delivered revision ${r.rev} after ${last}`)
      last = r.rev
      // Decoding checks each event as the log holds it: an export never carries a frame its reader would refuse.
      tally.add(r.rev, decodeEvent(r.data))
      const pending = write(frames, encodeFrame(r.rev, r.subject, r.data))
      if (pending) await pending
      onRecord?.(r.rev)
    }
    await close(frames)
    const header = tally.header({ createdAt: new Date((meta.now ?? Date.now)()).toISOString(), createdBy: meta.createdBy, until: meta.until, source: meta.source, flags: meta.flags })
    const hash = createHash('sha256')
    const out = createWriteStream(partial, { mode: 0o600 })
    const put = async (chunk: Buffer) => {
      hash.update(chunk)
      const pending = write(out, chunk)
      if (pending) await pending
    }
    await put(encodeHeader(header))
    for await (const chunk of createReadStream(body, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) await put(chunk)
    await put(END_MARKER)
    const pending = write(out, hash.digest())
    if (pending) await pending
    await close(out)
    renameSync(partial, path)
    return header
  } finally {
    rmSync(body, { force: true })
    rmSync(partial, { force: true })
  }
}
