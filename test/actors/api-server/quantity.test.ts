import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  compareQuantity,
  formatQuantity,
  isNegative,
  isQuantityError,
  parseQuantity,
  parseQuantityValue,
  QuantityError,
  QUANTITY_REGEX,
  toMilli,
  toNumber,
} from '../../../actors/api-server/quantity.js'

// [input, toMilli, toNumber] — toNumber rounds up like Kubernetes' Value(), toMilli like MilliValue().
const good: [string, number, number][] = [
  ['0', 0, 0],
  ['100m', 100, 1],
  ['1', 1000, 1],
  ['0.5', 500, 1],
  ['.5', 500, 1],
  ['1.5', 1500, 2],
  ['2.', 2000, 2],
  ['+1', 1000, 1],
  ['250m', 250, 1],
  ['1k', 1_000_000, 1000],
  ['1e3', 1_000_000, 1000],
  ['1E3', 1_000_000, 1000],
  ['1e+3', 1_000_000, 1000],
  ['5e-3', 5, 1],
  ['64Mi', 67108864000, 67108864],
  ['1Ki', 1_024_000, 1024],
  ['1.5Gi', 1610612736000, 1610612736],
  ['128974848', 128974848000, 128974848],
  ['129M', 129e9, 129e6],
  ['123Mi', 128974848000, 128974848],
  ['1G', 1e12, 1e9],
  ['1T', 1e15, 1e12],
  ['1P', 1e18, 1e15],
  ['2Ei', 2 ** 61 * 1000, 2 ** 61],
  ['1u', 1, 1],
  ['1n', 1, 1],
  ['1500n', 1, 1],
  ['0.1m', 1, 1],
  ['007', 7000, 7],
  // Kubernetes' parser accepts a bare suffix or sign and reads it as zero.
  ['Mi', 0, 0],
  ['-', 0, 0],
]

test('parses the quantities Kubernetes accepts, with MilliValue and Value semantics', () => {
  for (const [input, milli, value] of good) {
    const q = parseQuantity(input)
    assert.is(toMilli(q), milli, `toMilli(${input})`)
    assert.is(toNumber(q), value, `toNumber(${input})`)
    assert.not.ok(isNegative(q), `isNegative(${input})`)
  }
})

test('negative quantities parse and are flagged negative; rounding is away from zero', () => {
  for (const [input, milli] of [['-1', -1000], ['-100m', -100], ['-0.5', -500], ['-1n', -1]] as const) {
    const q = parseQuantity(input)
    assert.ok(isNegative(q), input)
    assert.is(toMilli(q), milli, input)
  }
  assert.not.ok(isNegative(parseQuantity('-0')))
})

// [input, code]
const bad: [string, QuantityError['code']][] = [
  ['', 'FormatWrong'],
  ['1.2.3', 'FormatWrong'],
  ['10 Mi', 'FormatWrong'],
  [' 1', 'FormatWrong'],
  ['1 ', 'FormatWrong'],
  ['abc', 'FormatWrong'],
  ['1Zi', 'FormatWrong'],
  ['1e3.5', 'FormatWrong'],
  ['1Mi ', 'FormatWrong'],
  ['--1', 'Suffix'],
  ['1ki', 'Suffix'],
  ['1K', 'Suffix'],
  ['1e', 'Suffix'],
  ['1m5', 'Suffix'],
  ['1MiB', 'FormatWrong'],
  ['1Mb', 'FormatWrong'],
  ['1e99999', 'Numeric'],
  ['1'.repeat(300), 'Numeric'],
]

test('malformed quantities throw a QuantityError with Kubernetes’ message', () => {
  for (const [input, code] of bad) {
    try {
      parseQuantity(input)
      assert.unreachable(`${JSON.stringify(input)} should not parse`)
    } catch (e) {
      assert.ok(isQuantityError(e), `${JSON.stringify(input)}: ${String(e)}`)
      assert.is((e as QuantityError).code, code, JSON.stringify(input))
      assert.instance(e, Error)
    }
  }
  try {
    parseQuantity('abc')
  } catch (e) {
    assert.is((e as Error).message, `quantities must match the regular expression '${QUANTITY_REGEX}'`)
    assert.is(QUANTITY_REGEX, '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$')
  }
})

test('JSON numbers are quantities too; other types are not', () => {
  assert.is(toMilli(parseQuantityValue(2)), 2000)
  assert.is(toMilli(parseQuantityValue(0.25)), 250)
  assert.throws(() => parseQuantityValue({}), (e: unknown) => isQuantityError(e))
  assert.throws(() => parseQuantityValue(Number.NaN), (e: unknown) => isQuantityError(e))
})

test('canonical form follows Quantity.String()', () => {
  const cases: [string, string][] = [
    ['1.5', '1500m'],
    ['1000m', '1'],
    ['1000', '1k'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['1024Mi', '1Gi'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['100m', '100m'],
    ['0', '0'],
    ['-1.5', '-1500m'],
    ['512', '512'],
    ['1.1Ki', '1126400m'],
    ['2', '2'],
  ]
  for (const [input, want] of cases) assert.is(formatQuantity(parseQuantity(input)), want, input)
})

test('compares exactly across suffixes', () => {
  assert.is(compareQuantity(parseQuantity('1'), parseQuantity('1000m')), 0)
  assert.is(compareQuantity(parseQuantity('1Gi'), parseQuantity('1G')), 1)
  assert.is(compareQuantity(parseQuantity('999m'), parseQuantity('1')), -1)
  assert.is(compareQuantity(parseQuantity('1e3'), parseQuantity('1k')), 0)
})

test.run()
