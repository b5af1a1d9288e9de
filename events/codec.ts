import { Packr } from 'msgpackr'
import type { Envelope } from './envelope.js'
import { SCHEMA_VERSIONS, isLogEventType, type LogEvent } from './log-event.js'

/**
 * The wire and log codec. `useRecords: false`: records are a msgpackr-only extension whose shared
 * structures would have to be persisted and versioned, and the log must decode forever.
 */
const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false })

/** Largest frame accepted: a 3 MiB object (the API's body limit) plus envelope overhead. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024

export const FrameErrorCode = {
  TooLarge: 'FRAME_TOO_LARGE',
  Empty: 'FRAME_EMPTY',
  Undecodable: 'FRAME_UNDECODABLE',
  NotAnEnvelope: 'FRAME_NOT_AN_ENVELOPE',
  UnknownType: 'FRAME_UNKNOWN_TYPE',
  UnsupportedVersion: 'FRAME_UNSUPPORTED_VERSION',
} as const
export type FrameErrorCode = (typeof FrameErrorCode)[keyof typeof FrameErrorCode]

/** A frame that is not a valid message. Callers count and drop it; a process never crashes on one. */
export class MalformedFrameError extends Error {
  override readonly name = 'MalformedFrameError'
  constructor(
    readonly code: FrameErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
export const isMalformedFrame = (e: unknown): e is MalformedFrameError => e instanceof MalformedFrameError

export function encode(value: unknown): Uint8Array {
  return packr.pack(value)
}

/** Decodes any msgpack message with the size bound applied first (msgpackr has no limits of its own). */
export function decode<T = unknown>(frame: Uint8Array): T {
  if (frame.byteLength === 0) throw new MalformedFrameError(FrameErrorCode.Empty, 'empty frame')
  if (frame.byteLength > MAX_FRAME_BYTES) {
    throw new MalformedFrameError(FrameErrorCode.TooLarge, `frame of ${frame.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`)
  }
  try {
    return packr.unpack(frame) as T
  } catch (cause) {
    throw new MalformedFrameError(FrameErrorCode.Undecodable, `undecodable msgpack: ${(cause as Error).message}`, { cause })
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)

/** Decodes a log frame and checks the envelope's shape, type and schema version. */
export function decodeEvent(frame: Uint8Array): LogEvent {
  const v = decode(frame)
  if (!isPlainObject(v)) throw new MalformedFrameError(FrameErrorCode.NotAnEnvelope, 'frame is not a map')
  const { type, v: version, at, by, cause, data } = v
  if (typeof type !== 'string' || typeof version !== 'number' || typeof at !== 'number' || typeof by !== 'string' || !isPlainObject(data)) {
    throw new MalformedFrameError(FrameErrorCode.NotAnEnvelope, 'frame lacks type, v, at, by or data')
  }
  if (cause !== undefined && cause !== null && (typeof cause !== 'number' || !Number.isInteger(cause) || cause < 1)) {
    throw new MalformedFrameError(FrameErrorCode.NotAnEnvelope, 'cause must be a positive revision')
  }
  if (!isLogEventType(type)) throw new MalformedFrameError(FrameErrorCode.UnknownType, `unknown event type ${JSON.stringify(type)}`)
  if (!Number.isInteger(version) || version < 1 || version > SCHEMA_VERSIONS[type]) {
    throw new MalformedFrameError(FrameErrorCode.UnsupportedVersion, `${type} schema version ${version} is not supported (max ${SCHEMA_VERSIONS[type]})`)
  }
  return v as unknown as LogEvent
}

export function encodeEvent(event: Envelope): Uint8Array {
  return encode(event)
}
