/**
 * The export file: the event log carried to another machine (`kstate export`, `kstate import`,
 * `kstate replay --verify FILE`). Self-describing and checked end to end:
 *
 *   offset 0   magic        8 bytes  0x89 "KSTLOG" 0x0A  (PNG's trick: the high byte and the newline
 *                                    catch 7-bit and text-mode transfers)
 *   offset 8   header size  u32 BE
 *   offset 12  header CRC   u32 BE   CRC-32 of the header size and header bytes
 *   offset 16  header               msgpack map: ExportHeader
 *   then, per event:
 *              frame size   u32 BE   > 0
 *              frame CRC    u32 BE   CRC-32 of the frame size and payload
 *              payload               msgpack [rev, subject, event bytes exactly as the log stored them]
 *   end marker u32 BE 0
 *   trailer    32 bytes     SHA-256 of every byte before it (magic through end marker); then EOF
 *
 * The per-frame CRC names the frame a flipped byte is in; the SHA-256 covers what CRCs do not
 * (a frame dropped or swapped whole); the end marker and the header's counts tell a file cut at a
 * frame boundary from a complete one. Readers refuse on the first problem, with its byte offset.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { crc32 } from 'node:zlib'
import { decode, decodeEvent, encode, isMalformedFrame, LOG_STREAM, MAX_FRAME_BYTES, SCHEMA_VERSIONS, type LogEvent, type LogEventType, type Recorded } from '../../events/index.js'

export const EXPORT_MAGIC = Buffer.from([0x89, 0x4b, 0x53, 0x54, 0x4c, 0x4f, 0x47, 0x0a])
export const EXPORT_FORMAT = 'kstate-log-export'
/** Bumped when the layout above changes; readers refuse versions newer than theirs. */
export const EXPORT_FORMAT_VERSION = 1
/** Largest header accepted: counts per type and a few fields; bounded before decoding. */
const MAX_HEADER_BYTES = 1024 * 1024
/** A frame holds one log frame (≤ MAX_FRAME_BYTES) plus its revision and subject. */
const MAX_EXPORT_FRAME_BYTES = MAX_FRAME_BYTES + 4096
const SHA256_BYTES = 32

export interface ExportHeader {
  format: typeof EXPORT_FORMAT
  formatVersion: number
  /** RFC 3339 time the file was written. */
  createdAt: string
  /** The program that wrote it, e.g. `kstate/0.1.0`. */
  createdBy: string
  /** The JetStream stream the events came from (revisions are its sequences). */
  stream: string
  /** Highest schema version (`v`) of each event type present in the file. */
  schemaVersions: Partial<Record<LogEventType, number>>
  /** Events per type. */
  counts: Partial<Record<LogEventType, number>>
  /** Number of events (frames). */
  events: number
  /** Revision of the first and last event (0 when the file holds none). */
  firstRev: number
  lastRev: number
  /** The `--until` the export was asked with, when one was given. */
  until?: number
  /** Where the events were read from (an API URL, never with credentials). */
  source?: string
  /**
   * The flags of the control plane that recorded the log (node lifecycle timings in ms), when the
   * export came from it: `kstate replay --verify` re-runs the controllers with the same ones.
   */
  flags?: RecordedFlags
}

/** Controller flags as a control plane reports them with its log. */
export interface RecordedFlags {
  nodeLifecycle?: Record<string, number>
}

export const ExportErrorCode = {
  BadMagic: 'EXPORT_BAD_MAGIC',
  UnsupportedVersion: 'EXPORT_UNSUPPORTED_VERSION',
  BadHeader: 'EXPORT_BAD_HEADER',
  Truncated: 'EXPORT_TRUNCATED',
  Checksum: 'EXPORT_CHECKSUM_MISMATCH',
  BadFrame: 'EXPORT_BAD_FRAME',
  OutOfOrder: 'EXPORT_OUT_OF_ORDER',
  CountMismatch: 'EXPORT_COUNT_MISMATCH',
  TrailingBytes: 'EXPORT_TRAILING_BYTES',
} as const
export type ExportErrorCode = (typeof ExportErrorCode)[keyof typeof ExportErrorCode]

/** The file is not a complete, unaltered export: nothing of it may be used. `offset` is where the problem is. */
export class ExportFormatError extends Error {
  override readonly name = 'ExportFormatError'
  constructor(
    readonly code: ExportErrorCode,
    readonly offset: number,
    readonly reason: string,
    readonly path?: string,
  ) {
    super(`${path ? `${path}: ` : ''}refused at byte offset ${offset}: ${reason}`)
  }
}
export const isExportFormatError = (e: unknown): e is ExportFormatError => e instanceof ExportFormatError

/** One event as it sits in a frame: the log's own bytes, not decoded. */
export interface ExportFrame {
  rev: number
  subject: string
  /** The event exactly as the log stored it (msgpack envelope). */
  data: Uint8Array
  /** Byte offset of the frame in the file. */
  offset: number
}

const u32 = (n: number) => {
  const b = Buffer.allocUnsafe(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

/** The bytes of the file before the frames: magic, header size, header CRC, header. */
export function encodeHeader(header: ExportHeader): Buffer {
  const h = Buffer.from(encode(header))
  const size = u32(h.length)
  return Buffer.concat([EXPORT_MAGIC, size, u32(crc32(h, crc32(size))), h])
}

/** One frame: size, CRC, payload. */
export function encodeFrame(rev: number, subject: string, data: Uint8Array): Buffer {
  const payload = Buffer.from(encode([rev, subject, data]))
  const size = u32(payload.length)
  return Buffer.concat([size, u32(crc32(payload, crc32(size))), payload])
}

/** The end marker; the SHA-256 trailer follows it. */
export const END_MARKER = u32(0)

/** Counts and versions of the events written, for the header. */
export class ExportTally {
  readonly counts: Partial<Record<LogEventType, number>> = {}
  readonly schemaVersions: Partial<Record<LogEventType, number>> = {}
  events = 0
  firstRev = 0
  lastRev = 0

  add(rev: number, event: Pick<LogEvent, 'type' | 'v'>): void {
    this.counts[event.type] = (this.counts[event.type] ?? 0) + 1
    this.schemaVersions[event.type] = Math.max(this.schemaVersions[event.type] ?? 0, event.v)
    if (this.events === 0) this.firstRev = rev
    this.lastRev = rev
    this.events++
  }

  header(o: { createdAt: string; createdBy: string; until?: number; source?: string; flags?: RecordedFlags }): ExportHeader {
    return {
      format: EXPORT_FORMAT,
      formatVersion: EXPORT_FORMAT_VERSION,
      createdAt: o.createdAt,
      createdBy: o.createdBy,
      stream: LOG_STREAM,
      schemaVersions: this.schemaVersions,
      counts: this.counts,
      events: this.events,
      firstRev: this.firstRev,
      lastRev: this.lastRev,
      ...(o.until !== undefined ? { until: o.until } : {}),
      ...(o.source ? { source: o.source } : {}),
      ...(o.flags ? { flags: o.flags } : {}),
    }
  }
}

/** Reads a file in order, exactly `n` bytes at a time, hashing every byte it hands out. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0)
  private pos = 0
  /** Offset in the file of `buf[pos]`. */
  offset = 0
  private readonly chunks: AsyncIterator<Buffer>
  private eof = false
  readonly hash = createHash('sha256')

  /** A file path, or chunks arriving from elsewhere (the API's `/kstate/v1/log` stream). */
  constructor(source: string | AsyncIterable<Buffer>) {
    const chunks = typeof source === 'string' ? (createReadStream(source, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) : source
    this.chunks = chunks[Symbol.asyncIterator]()
  }

  /** Exactly `n` bytes, or fewer when the file ends first. */
  async read(n: number, hashed = true): Promise<Buffer> {
    while (this.buf.length - this.pos < n && !this.eof) {
      const next = await this.chunks.next()
      if (next.done) this.eof = true
      else {
        this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), next.value]) : next.value
        this.pos = 0
      }
    }
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += out.length
    this.offset += out.length
    if (hashed) this.hash.update(out)
    return out
  }

  async atEnd(): Promise<boolean> {
    return (await this.read(1, false)).length === 0
  }

  async close(): Promise<void> {
    await this.chunks.return?.()
  }
}

function parseHeader(bytes: Buffer, offset: number, path?: string): ExportHeader {
  let h: unknown
  try {
    h = decode(bytes)
  } catch (e) {
    throw new ExportFormatError(ExportErrorCode.BadHeader, offset, `the header does not decode: ${(e as Error).message}`, path)
  }
  const header = h as ExportHeader
  if (!header || typeof header !== 'object' || header.format !== EXPORT_FORMAT) {
    throw new ExportFormatError(ExportErrorCode.BadHeader, offset, `the header does not name the format "${EXPORT_FORMAT}"`, path)
  }
  if (!Number.isInteger(header.formatVersion) || header.formatVersion < 1 || header.formatVersion > EXPORT_FORMAT_VERSION) {
    throw new ExportFormatError(ExportErrorCode.UnsupportedVersion, offset, `format version ${header.formatVersion} is not supported (this kstate reads up to ${EXPORT_FORMAT_VERSION})`, path)
  }
  for (const [type, v] of Object.entries(header.schemaVersions ?? {})) {
    const known = (SCHEMA_VERSIONS as Record<string, number>)[type]
    if (known === undefined) throw new ExportFormatError(ExportErrorCode.UnsupportedVersion, offset, `the file holds events of type ${type}, unknown to this kstate`, path)
    if ((v as number) > known) throw new ExportFormatError(ExportErrorCode.UnsupportedVersion, offset, `the file holds ${type} schema version ${v}; this kstate reads up to ${known}`, path)
  }
  if (![header.events, header.firstRev, header.lastRev].every((n) => Number.isInteger(n) && n >= 0)) {
    throw new ExportFormatError(ExportErrorCode.BadHeader, offset, 'the header lacks events, firstRev or lastRev', path)
  }
  return header
}

async function readHeaderFrom(r: ByteReader, path: string): Promise<ExportHeader> {
  const magic = await r.read(EXPORT_MAGIC.length)
  if (magic.length < EXPORT_MAGIC.length) throw new ExportFormatError(ExportErrorCode.Truncated, 0, 'the file ends inside the magic number', path)
  if (!magic.equals(EXPORT_MAGIC)) throw new ExportFormatError(ExportErrorCode.BadMagic, 0, 'not a kstate export file (wrong magic number)', path)
  const sizes = await r.read(8)
  if (sizes.length < 8) throw new ExportFormatError(ExportErrorCode.Truncated, 8, 'the file ends inside the header size', path)
  const size = sizes.readUInt32BE(0)
  const crc = sizes.readUInt32BE(4)
  if (size === 0 || size > MAX_HEADER_BYTES) throw new ExportFormatError(ExportErrorCode.BadHeader, 8, `header size ${size} is out of bounds`, path)
  const bytes = await r.read(size)
  // Offsets name the start of the structure at fault: a size field altered upwards reads past the
  // end, and only the structure (not where the reading stopped) says where to look.
  if (bytes.length < size) throw new ExportFormatError(ExportErrorCode.Truncated, 8, `the header announces ${size} bytes; the file holds ${bytes.length}: it is truncated or the size was altered`, path)
  if (crc32(bytes, crc32(sizes.subarray(0, 4))) !== crc) throw new ExportFormatError(ExportErrorCode.Checksum, 8, 'the header checksum does not match: the file was altered', path)
  return parseHeader(bytes, 16, path)
}

/** The header alone (fast: reads the first bytes only, no checksum over the whole file). */
export async function readExportHeader(path: string): Promise<ExportHeader> {
  const r = new ByteReader(path)
  try {
    return await readHeaderFrom(r, path)
  } finally {
    await r.close()
  }
}

export interface ExportFrames extends AsyncIterable<ExportFrame> {
  /** The header (checked, not the rest of the file); may be awaited before iterating. */
  readonly header: Promise<ExportHeader>
}

/**
 * Every frame of the file, in order, checked as it goes: each frame's CRC, revisions increasing,
 * then at the end the frame count, last revision and SHA-256 against the header and trailer. A
 * problem throws `ExportFormatError` with its offset — possibly after frames were yielded, so a
 * caller that must not act on a bad file (import) verifies first with `verifyExportFile`.
 */
export function readExportFrames(path: string): ExportFrames {
  // Read on its own (the first bytes only), so it can be awaited before iterating.
  const header = readExportHeader(path)
  header.catch(() => {})
  async function* frames(): AsyncGenerator<ExportFrame> {
    const r = new ByteReader(path)
    try {
      const h = await readHeaderFrom(r, path)
      let count = 0
      let lastRev = 0
      for (;;) {
        const frame = await readFrame(r, path, () => `the file ends after ${count} of ${h.events} events, without the end marker`)
        if (!frame) break
        if (frame.rev <= lastRev) throw new ExportFormatError(ExportErrorCode.OutOfOrder, frame.offset, `revision ${frame.rev} follows ${lastRev}: revisions must increase`, path)
        lastRev = frame.rev
        count++
        yield frame
      }
      const digest = r.hash.digest()
      const trailerAt = r.offset
      const trailer = await r.read(SHA256_BYTES, false)
      if (trailer.length < SHA256_BYTES) throw new ExportFormatError(ExportErrorCode.Truncated, trailerAt, 'the file ends inside the SHA-256 trailer', path)
      if (!trailer.equals(digest)) throw new ExportFormatError(ExportErrorCode.Checksum, trailerAt, 'the SHA-256 of the file does not match its trailer: the file was altered', path)
      if (!(await r.atEnd())) throw new ExportFormatError(ExportErrorCode.TrailingBytes, r.offset, 'bytes follow the SHA-256 trailer', path)
      if (count !== h.events || lastRev !== h.lastRev) {
        throw new ExportFormatError(ExportErrorCode.CountMismatch, trailerAt, `the header announces ${h.events} events up to revision ${h.lastRev}; the file holds ${count} up to ${lastRev}`, path)
      }
    } finally {
      await r.close()
    }
  }
  const it = { header, [Symbol.asyncIterator]: () => frames() }
  return it
}

/** The next frame, or undefined at the end marker. */
async function readFrame(r: ByteReader, path: string | undefined, endedEarly: () => string): Promise<ExportFrame | undefined> {
  const at = r.offset
  const sizes = await r.read(4)
  if (sizes.length < 4) throw new ExportFormatError(ExportErrorCode.Truncated, at, endedEarly(), path)
  const size = sizes.readUInt32BE(0)
  if (size === 0) return undefined
  const crcBytes = await r.read(4)
  if (crcBytes.length < 4) throw new ExportFormatError(ExportErrorCode.Truncated, at, `the file ends inside the frame at ${at}`, path)
  if (size > MAX_EXPORT_FRAME_BYTES) throw new ExportFormatError(ExportErrorCode.BadFrame, at, `frame size ${size} exceeds ${MAX_EXPORT_FRAME_BYTES} bytes`, path)
  const payload = await r.read(size)
  if (payload.length < size) throw new ExportFormatError(ExportErrorCode.Truncated, at, `the frame at ${at} announces ${size} bytes; the file holds ${payload.length}: it is truncated or the size was altered`, path)
  if (crc32(payload, crc32(sizes)) !== crcBytes.readUInt32BE(0)) throw new ExportFormatError(ExportErrorCode.Checksum, at, `the checksum of the frame at ${at} does not match: the file was altered`, path)
  return decodeFrame(payload, at, path)
}

/**
 * Frames (no header, no trailer) as the API's `/kstate/v1/log` streams them, ended by the end
 * marker: an answer cut short (connection lost) throws instead of passing for a shorter log.
 */
export async function* readFrameStream(chunks: AsyncIterable<Buffer>): AsyncGenerator<ExportFrame> {
  const r = new ByteReader(chunks)
  try {
    for (;;) {
      const frame = await readFrame(r, undefined, () => 'the stream ended without its end marker (connection lost?)')
      if (!frame) return
      yield frame
    }
  } finally {
    await r.close()
  }
}

function decodeFrame(payload: Buffer, at: number, path: string | undefined): ExportFrame {
  let v: unknown
  try {
    v = decode(payload)
  } catch (e) {
    throw new ExportFormatError(ExportErrorCode.BadFrame, at, `the frame does not decode: ${(e as Error).message}`, path)
  }
  if (!Array.isArray(v) || v.length !== 3 || !Number.isInteger(v[0]) || v[0] < 1 || typeof v[1] !== 'string' || !(v[2] instanceof Uint8Array)) {
    throw new ExportFormatError(ExportErrorCode.BadFrame, at, 'the frame is not [revision, subject, event]', path)
  }
  return { rev: v[0], subject: v[1], data: v[2], offset: at }
}

/**
 * The events of an export file, decoded and checked (see `readExportFrames`), as projections and
 * the verifier take them. An event that does not decode refuses the file with its frame's offset.
 */
export function readExportFile(path: string): AsyncIterable<Recorded<LogEvent>> & { readonly header: Promise<ExportHeader> } {
  const frames = readExportFrames(path)
  async function* events(): AsyncGenerator<Recorded<LogEvent>> {
    for await (const f of frames) yield { rev: f.rev, subject: f.subject, event: decodeFrameEvent(f, path) }
  }
  return { header: frames.header, [Symbol.asyncIterator]: () => events() }
}

export function decodeFrameEvent(f: ExportFrame, path?: string): LogEvent {
  try {
    return decodeEvent(f.data)
  } catch (e) {
    const why = isMalformedFrame(e) ? `${e.code}: ${e.message}` : (e as Error).message
    throw new ExportFormatError(ExportErrorCode.BadFrame, f.offset, `the event at revision ${f.rev} is not valid: ${why}`, path)
  }
}

/**
 * Reads the whole file and checks everything (every event decodes, counts, checksums) without
 * acting on it; returns the header. `onEvent` sees each event's revision (progress).
 */
export async function verifyExportFile(path: string, onEvent?: (rev: number, bytesRead: number) => void): Promise<ExportHeader> {
  const frames = readExportFrames(path)
  for await (const f of frames) {
    decodeFrameEvent(f, path)
    onEvent?.(f.rev, f.offset)
  }
  return frames.header
}
