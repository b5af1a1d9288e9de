/**
 * Reads one string field of a msgpack map without decoding the rest: a replay that learns an
 * event's type this way can skip decoding an event a later one supersedes. Nothing is allocated.
 * Any structure it cannot walk answers `undefined`, and the caller decodes fully (which reports
 * the real error).
 */

/** Position after the value starting at `p`, or -1 when the bytes end or hold no valid value. */
function skip(b: Uint8Array, p: number, depth: number): number {
  if (p >= b.length || depth > 64) return -1
  const t = b[p]
  if (t <= 0x7f || t >= 0xe0) return p + 1 // positive / negative fixint
  if (t <= 0x8f) return skipN(b, p + 1, (t & 0x0f) * 2, depth) // fixmap
  if (t <= 0x9f) return skipN(b, p + 1, t & 0x0f, depth) // fixarray
  if (t <= 0xbf) return p + 1 + (t & 0x1f) // fixstr
  const u8 = (at: number) => (at < b.length ? b[at] : -1)
  const u16 = (at: number) => (at + 1 < b.length ? (b[at] << 8) | b[at + 1] : -1)
  const u32 = (at: number) => (at + 3 < b.length ? ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0 : -1)
  const sized = (len: number, header: number) => (len < 0 ? -1 : p + header + len)
  switch (t) {
    case 0xc0: // nil
    case 0xc2: // false
    case 0xc3: // true
      return p + 1
    case 0xc4: // bin 8
    case 0xd9: // str 8
      return sized(u8(p + 1), 2)
    case 0xc5:
    case 0xda:
      return sized(u16(p + 1), 3)
    case 0xc6:
    case 0xdb:
      return sized(u32(p + 1), 5)
    case 0xc7: // ext 8, 16, 32: length + type byte
      return sized(u8(p + 1), 3)
    case 0xc8:
      return sized(u16(p + 1), 4)
    case 0xc9:
      return sized(u32(p + 1), 6)
    case 0xca: // float 32
      return p + 5
    case 0xcb: // float 64
      return p + 9
    case 0xcc: // uint / int 8..64
    case 0xd0:
      return p + 2
    case 0xcd:
    case 0xd1:
      return p + 3
    case 0xce:
    case 0xd2:
      return p + 5
    case 0xcf:
    case 0xd3:
      return p + 9
    case 0xd4: // fixext 1, 2, 4, 8, 16
      return p + 3
    case 0xd5:
      return p + 4
    case 0xd6:
      return p + 6
    case 0xd7:
      return p + 10
    case 0xd8:
      return p + 18
    case 0xdc: // array 16, 32
      return u16(p + 1) < 0 ? -1 : skipN(b, p + 3, u16(p + 1), depth)
    case 0xdd:
      return u32(p + 1) < 0 ? -1 : skipN(b, p + 5, u32(p + 1), depth)
    case 0xde: // map 16, 32
      return u16(p + 1) < 0 ? -1 : skipN(b, p + 3, u16(p + 1) * 2, depth)
    case 0xdf:
      return u32(p + 1) < 0 ? -1 : skipN(b, p + 5, u32(p + 1) * 2, depth)
    default: // 0xc1: never used
      return -1
  }
}

function skipN(b: Uint8Array, p: number, n: number, depth: number): number {
  for (let i = 0; i < n && p >= 0; i++) p = skip(b, p, depth + 1)
  return p > b.length ? -1 : p
}

/**
 * Strings a caller expects as values, matched on their bytes: the answer is then the caller's own
 * (internalized) string, with nothing built. Keyed by length and first and last byte.
 */
export class KnownStrings {
  private readonly byShape = new Map<number, { text: string; bytes: Uint8Array }[]>()
  constructor(strings: Iterable<string>) {
    for (const text of strings) {
      const bytes = new TextEncoder().encode(text)
      if (bytes.length === 0 || bytes.length > 31) continue
      const k = KnownStrings.shape(bytes, 0, bytes.length)
      this.byShape.set(k, [...(this.byShape.get(k) ?? []), { text, bytes }])
    }
  }
  private static shape(b: Uint8Array, start: number, len: number): number {
    return (len << 16) | (b[start] << 8) | b[start + len - 1]
  }
  /** The known string equal to `b[start, start + len)`, if any. */
  match(b: Uint8Array, start: number, len: number): string | undefined {
    if (len === 0 || len > 31) return undefined
    const candidates = this.byShape.get(KnownStrings.shape(b, start, len))
    if (!candidates) return undefined
    next: for (const c of candidates) {
      for (let i = 1; i < len - 1; i++) if (c.bytes[i] !== b[start + i]) continue next
      return c.text
    }
    return undefined
  }
}

/**
 * The value of `key` in the top-level map of `frame` when it is one of `known` — the fast path of a
 * replay that only needs to know which event type a frame holds. Undefined otherwise.
 */
export function peekKnownField(frame: Uint8Array, key: Uint8Array, known: KnownStrings): string | undefined {
  const t = frame[0]
  let n: number
  let p: number
  if (t >= 0x80 && t <= 0x8f) [n, p] = [t & 0x0f, 1]
  else if (t === 0xde && frame.length >= 3) [n, p] = [(frame[1] << 8) | frame[2], 3]
  else return undefined
  for (let i = 0; i < n; i++) {
    // Keys are compared as bytes: `key` is a fixstr's (ASCII, under 32 bytes).
    const kt = frame[p]
    if (kt === undefined || kt < 0xa0 || kt > 0xbf) return undefined // not a short string key: no fast answer
    const klen = kt & 0x1f
    let same = klen === key.length
    for (let j = 0; same && j < klen; j++) same = frame[p + 1 + j] === key[j]
    p += 1 + klen
    if (same) {
      const v = frame[p]
      if (v >= 0xa0 && v <= 0xbf) return p + 1 + (v & 0x1f) <= frame.length ? known.match(frame, p + 1, v & 0x1f) : undefined
      if (v === 0xd9 && p + 1 < frame.length) return p + 2 + frame[p + 1] <= frame.length ? known.match(frame, p + 2, frame[p + 1]) : undefined
      return undefined
    }
    p = skip(frame, p, 0)
    if (p < 0) return undefined
  }
  return undefined
}
