/**
 * Ages as kubectl prints them: a port of k8s.io/apimachinery/pkg/util/duration.HumanDuration and of
 * the printers' translateTimestampSince. Pure: the caller passes `now`.
 */

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/**
 * A duration in milliseconds with ~2-3 significant figures: `0s`, `119s`, `3m10s`, `179m`, `7h59m`,
 * `47h`, `2d1h`, `729d`, `2y1d`, `8y`. Up to 2 s in the future reads `0s` (clock skew); further is
 * `<invalid>`.
 */
export function humanDuration(ms: number): string {
  // Go's int(d.Seconds()) truncates toward zero.
  const seconds = Math.trunc(ms / SECOND)
  if (seconds < -1) return '<invalid>'
  if (seconds <= 0) return '0s'
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = Math.floor(ms / MINUTE)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = Math.floor(ms / HOUR)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  const days = Math.floor(hours / 24)
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${days}d` : `${days}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${days}d`
  const years = Math.floor(days / 365)
  if (hours < 24 * 365 * 8) {
    const dy = days % 365
    return dy === 0 ? `${years}y` : `${years}y${dy}d`
  }
  return `${years}y`
}

/**
 * The AGE of an object from an RFC 3339 timestamp (`metadata.creationTimestamp`), as kubectl's
 * translateTimestampSince: `<unknown>` when the timestamp is absent or unreadable.
 */
export function translateTimestampSince(timestamp: string | undefined | null, now: number): string {
  const at = parseTimestamp(timestamp)
  return at === undefined ? '<unknown>' : humanDuration(now - at)
}

/** metav1.Time's zero value, 0001-01-01T00:00:00Z, which IsZero() reports as unset. */
const ZERO_TIME = -62_135_596_800_000

/** Epoch ms of an RFC 3339 timestamp; undefined for an absent, unreadable or zero (year 1) time. */
export function parseTimestamp(timestamp: string | undefined | null): number | undefined {
  if (!timestamp) return undefined
  const at = Date.parse(timestamp)
  if (Number.isNaN(at) || at === ZERO_TIME) return undefined
  return at
}
