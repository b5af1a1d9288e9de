/**
 * Kubernetes `resource.Quantity`, parsed by the rules of
 * k8s.io/apimachinery/pkg/api/resource/quantity.go (`parseQuantityString`, `ParseQuantity`,
 * `CanonicalizeBytes`).
 *
 * The value is held exactly as a `bigint` count of nano-units: Kubernetes rounds every parsed
 * value up (away from zero) to the nearest 1n, so nothing finer exists. Conversions to JS numbers
 * (`toMilli`, `toNumber`) are exact up to `Number.MAX_SAFE_INTEGER` (2^53: about 9·10^15 milli-cores,
 * or 8 PiB of memory) and approximate beyond.
 *
 * Kubernetes quirks kept on purpose: a bare sign or suffix parses as zero ("-", ".", "Mi"), "1."
 * is 1, and BinarySI values are capped at 2^63-1. One deliberate difference: strings longer than
 * `MAX_QUANTITY_LENGTH` and decimal exponents beyond ±`MAX_EXPONENT` are rejected as `Numeric`
 * (Kubernetes stores them; here they would cost unbounded bigint work).
 */

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI'

export interface Quantity {
  /** The value in units of 10^-9, rounded away from zero like Kubernetes' parser. */
  readonly nanos: bigint
  /** How the value was written; canonical formatting keeps it. */
  readonly format: QuantityFormat
}

/** The regular expression Kubernetes quotes in its format error (it parses by hand, not with it). */
export const QUANTITY_REGEX = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'

export const QuantityErrorCode = {
  /** Not shaped like a quantity at all. */
  FormatWrong: `quantities must match the regular expression '${QUANTITY_REGEX}'`,
  /** Digits that do not form a number. */
  Numeric: 'unable to parse numeric part of quantity',
  /** A suffix that is neither SI, binary SI nor an exponent ("1Ki" is fine, "1ki" is not). */
  Suffix: "unable to parse quantity's suffix",
} as const
export type QuantityErrorCode = keyof typeof QuantityErrorCode

/** A malformed quantity string; `message` is Kubernetes' own text for `code`. */
export class QuantityError extends Error {
  override readonly name = 'QuantityError'
  constructor(
    readonly code: QuantityErrorCode,
    readonly input: string,
  ) {
    super(QuantityErrorCode[code])
  }
}
export const isQuantityError = (e: unknown): e is QuantityError => e instanceof QuantityError

export const MAX_QUANTITY_LENGTH = 256
export const MAX_EXPONENT = 1000
const NANO_SCALE = 9
const MAX_INT64 = (1n << 63n) - 1n
const POW10: bigint[] = Array.from({ length: 64 }, (_, i) => 10n ** BigInt(i))
const pow10 = (n: number): bigint => (n < POW10.length ? POW10[n] : 10n ** BigInt(n))

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }
const SUFFIX_CHARS = 'eEinumkKMGTP'

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'

interface Scanned {
  positive: boolean
  num: string
  denom: string
  suffix: string
}

/** `parseQuantityString`: sign, digits, fraction, suffix. Throws FormatWrong where Go does. */
function scan(str: string): Scanned {
  let positive = true
  let pos = 0
  const end = str.length
  if (str[0] === '-') {
    positive = false
    pos++
  } else if (str[0] === '+') {
    pos++
  }
  while (pos < end && str[pos] === '0') pos++
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' }
  let start = pos
  while (pos < end && isDigit(str[pos])) pos++
  const num = str.slice(start, pos) || '0'
  let denom = ''
  if (str[pos] === '.') {
    start = ++pos
    while (pos < end && isDigit(str[pos])) pos++
    denom = str.slice(start, pos)
  }
  const suffixStart = pos
  while (pos < end && SUFFIX_CHARS.includes(str[pos])) pos++
  if (str[pos] === '-' || str[pos] === '+') pos++
  while (pos < end && isDigit(str[pos])) pos++
  if (pos < end) throw new QuantityError('FormatWrong', str)
  return { positive, num, denom, suffix: str.slice(suffixStart) }
}

/** `quantitySuffixer.interpret`: base, exponent and format of a suffix, or a Suffix error. */
function interpret(suffix: string, input: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  const dec = DECIMAL_SUFFIXES[suffix]
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' }
  const bin = BINARY_SUFFIXES[suffix]
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' }
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1))
    if (Number.isSafeInteger(exponent)) return { base: 10, exponent, format: 'DecimalExponent' }
  }
  throw new QuantityError('Suffix', input)
}

/** Divides rounding away from zero (inf.RoundUp), as Kubernetes does when it drops precision. */
function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d
  if (q * d === n) return q
  return n < 0n ? q - 1n : q + 1n
}

/**
 * Parses a Kubernetes quantity ("100m", "64Mi", "1e3", "0.5", "+1.5Gi"). Throws `QuantityError`
 * with Kubernetes' message when the string is malformed. Negative values parse; callers that
 * need non-negative resources check `isNegative`.
 */
export function parseQuantity(str: string): Quantity {
  if (typeof str !== 'string' || str.length === 0) throw new QuantityError('FormatWrong', String(str))
  if (str === '0') return { nanos: 0n, format: 'DecimalSI' }
  if (str.length > MAX_QUANTITY_LENGTH) throw new QuantityError('Numeric', str)
  const { positive, num, denom, suffix } = scan(str)
  const { base, exponent, format: parsedFormat } = interpret(suffix, str)
  if (Math.abs(exponent) > MAX_EXPONENT) throw new QuantityError('Numeric', str)
  let format = parsedFormat
  // value = digits × 10^-scale10 × 2^exp2, held exactly, then rounded to nano-units.
  const digits = BigInt(num + denom)
  let scale10 = denom.length
  let exp2 = 0
  if (base === 10) scale10 -= exponent
  else exp2 = exponent
  let magnitude = digits << BigInt(exp2)
  // magnitude × 10^-scale10 in nanos = magnitude × 10^(9 - scale10)
  const shift = NANO_SCALE - scale10
  magnitude = shift >= 0 ? magnitude * pow10(shift) : divAwayFromZero(magnitude, pow10(-shift))
  if (format === 'BinarySI' && magnitude > MAX_INT64 * pow10(NANO_SCALE)) magnitude = MAX_INT64 * pow10(NANO_SCALE)
  if (format === 'BinarySI' && magnitude > 0n && magnitude < pow10(NANO_SCALE)) format = 'DecimalSI'
  return { nanos: positive ? magnitude : -magnitude, format }
}

/** Parses a quantity as it may arrive in JSON: a string, or a plain number (`cpu: 2`). */
export function parseQuantityValue(value: unknown): Quantity {
  if (typeof value === 'number' && Number.isFinite(value)) return parseQuantity(String(value))
  if (typeof value === 'string') return parseQuantity(value)
  throw new QuantityError('FormatWrong', String(value))
}

export const isNegative = (q: Quantity): boolean => q.nanos < 0n
export const isZero = (q: Quantity): boolean => q.nanos === 0n

/** -1, 0 or 1, exactly (`Quantity.Cmp`). */
export function compareQuantity(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0
}

/** Sum; the format of the first non-zero operand wins, as in `Quantity.Add`. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format }
}

/** `MilliValue()`: the value in thousandths, rounded up (away from zero). "100m" → 100, "0.5" → 500. */
export function toMilli(q: Quantity): number {
  return Number(divAwayFromZero(q.nanos, pow10(NANO_SCALE - 3)))
}

/** `Value()`: the value in units, rounded up (away from zero). "64Mi" → 67108864, "100m" → 1. */
export function toNumber(q: Quantity): number {
  return Number(divAwayFromZero(q.nanos, pow10(NANO_SCALE)))
}

/**
 * Kubernetes' canonical form (`Quantity.String()`): no fractional digits, the largest suffix that
 * keeps every digit, the written format kept where it can be. "1.5" → "1500m", "1.5Gi" →
 * "1536Mi", "1000" → "1k", "0.5Gi" → "512Mi", "1e3" → "1e3".
 */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0'
  const sign = q.nanos < 0n ? '-' : ''
  const abs = q.nanos < 0n ? -q.nanos : q.nanos
  const unit = pow10(NANO_SCALE)
  if (q.format === 'BinarySI' && abs >= 1024n * unit && abs % unit === 0n) {
    let mantissa = abs / unit
    let exp = 0
    while (exp < 6 && mantissa % 1024n === 0n) {
      mantissa /= 1024n
      exp++
    }
    return `${sign}${mantissa}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][exp]}`
  }
  // Decimal: move factors of ten into the exponent, then down to a multiple of three.
  let mantissa = abs
  let exponent = -NANO_SCALE
  while (mantissa % 10n === 0n) {
    mantissa /= 10n
    exponent++
  }
  while (((exponent % 3) + 3) % 3 !== 0) {
    mantissa *= 10n
    exponent--
  }
  if (q.format === 'DecimalExponent') return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`
  while (exponent > 18) {
    mantissa *= 1000n
    exponent -= 3
  }
  const suffix = { '-9': 'n', '-6': 'u', '-3': 'm', '0': '', '3': 'k', '6': 'M', '9': 'G', '12': 'T', '15': 'P', '18': 'E' }[String(exponent)]
  return `${sign}${mantissa}${suffix ?? ''}`
}
