import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { humanDuration, translateTimestampSince } from '../../../../runtime/cli/print/age.js'

const ms = 1
const s = 1000
const m = 60 * s
const h = 60 * m
const d = 24 * h
const y = 365 * d

// TestHumanDuration and TestHumanDurationBoundaries in
// k8s.io/apimachinery/pkg/util/duration/duration_test.go (1 ns there is 1 ms here).
const cases: [number, string][] = [
  [s, '1s'],
  [70 * s, '70s'],
  [190 * s, '3m10s'],
  [70 * m, '70m'],
  [47 * h, '47h'],
  [49 * h, '2d1h'],
  [(8 * 24 + 2) * h, '8d'],
  [367 * 24 * h, '367d'],
  [(365 * 2 * 24 + 25) * h, '2y1d'],
  [(365 * 8 * 24 + 2) * h, '8y'],

  [-2 * s, '<invalid>'],
  [-2 * s + ms, '0s'],
  [0, '0s'],
  [s - ms, '0s'],
  [2 * m - ms, '119s'],
  [2 * m, '2m'],
  [2 * m + s, '2m1s'],
  [10 * m - ms, '9m59s'],
  [10 * m, '10m'],
  [10 * m + s, '10m'],
  [3 * h - ms, '179m'],
  [3 * h, '3h'],
  [3 * h + m, '3h1m'],
  [8 * h - ms, '7h59m'],
  [8 * h, '8h'],
  [8 * h + 59 * m, '8h'],
  [2 * d - ms, '47h'],
  [2 * d, '2d'],
  [2 * d + h, '2d1h'],
  [8 * d - ms, '7d23h'],
  [8 * d, '8d'],
  [8 * d + 23 * h, '8d'],
  [2 * y - ms, '729d'],
  [2 * y, '2y'],
  [2 * y + 23 * h, '2y'],
  [2 * y + 23 * h + 59 * m, '2y'],
  [2 * y + 24 * h - ms, '2y'],
  [2 * y + 24 * h, '2y1d'],
  [3 * y, '3y'],
  [4 * y, '4y'],
  [5 * y, '5y'],
  [6 * y, '6y'],
  [7 * y, '7y'],
  [8 * y - ms, '7y364d'],
  [8 * y, '8y'],
  [8 * y + 364 * d, '8y'],
  [9 * y, '9y'],
]

test('humanDuration matches duration.HumanDuration on the Kubernetes test table', () => {
  for (const [duration, want] of cases) assert.is(humanDuration(duration), want, `${duration} ms`)
})

test('AGE of a creation timestamp, <unknown> when there is none', () => {
  const now = Date.parse('2024-05-01T12:00:00Z')
  const table: [string | undefined, string][] = [
    ['2024-05-01T11:55:00Z', '5m'],
    ['2024-05-01T11:59:59Z', '1s'],
    ['2024-04-30T09:00:00Z', '27h'],
    ['2024-05-01T12:00:01Z', '0s'],
    ['2024-05-01T12:00:05Z', '<invalid>'],
    [undefined, '<unknown>'],
    ['', '<unknown>'],
    ['0001-01-01T00:00:00Z', '<unknown>'],
    ['not a time', '<unknown>'],
  ]
  for (const [ts, want] of table) assert.is(translateTimestampSince(ts, now), want, String(ts))
})

test.run()
