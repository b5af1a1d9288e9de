/** Reading an event's type without decoding it: the same answer as a full decode, or "don't know". */
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { Packr } from 'msgpackr'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeEvent } from '../../events/index.js'
import { KnownStrings, peekKnownField } from '../../events/msgpack-peek.js'

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false })
const TYPES = new KnownStrings(['PodCreated', 'PodBound', 'ünïcode', 'PodDeleted', 'x'.repeat(31)])
const peek = (frame: Uint8Array, key = 'type', known = TYPES) => peekKnownField(frame, new TextEncoder().encode(key), known)

test('the type of an envelope, whichever position its key has', () => {
  const data = { object: { metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', ports: [80, 443] }] } } }
  assert.is(peek(encodeEvent({ type: 'PodCreated', v: 1, at: 1, by: 'me', data }), 'type'), 'PodCreated')
  assert.is(peek(packr.pack({ data, at: 1.5, by: 'me', v: 1, type: 'PodBound' }), 'type'), 'PodBound')
  assert.is(peek(packr.pack({ by: 'é', type: 'ünïcode' }), 'type'), 'ünïcode')
  assert.is(peek(packr.pack({ type: 'x'.repeat(31) })), 'x'.repeat(31))
  // The answer is the caller's own string, not a copy.
  assert.is(peek(packr.pack({ type: 'PodDeleted' })), 'PodDeleted')
})

test('no answer rather than a wrong one: absent, not a string, not a map, cut, garbage', () => {
  assert.is(peek(packr.pack({ v: 1 }), 'type'), undefined)
  assert.is(peek(packr.pack({ type: 'PodExploded' })), undefined, 'not a known string')
  assert.is(peek(packr.pack({ type: 'PodCreatee' })), undefined, 'same length and ends')
  assert.is(peek(packr.pack({ type: 'x'.repeat(32) })), undefined)
  assert.is(peek(packr.pack({ type: 7 }), 'type'), undefined)
  assert.is(peek(packr.pack(['type', 'PodCreated']), 'type'), undefined)
  assert.is(peek(new Uint8Array(0), 'type'), undefined)
  const whole = packr.pack({ data: { x: 'y'.repeat(100) }, type: 'PodCreated' })
  for (let cut = 0; cut < whole.length; cut++) assert.is(peek(whole.subarray(0, cut), 'type'), undefined, `cut at ${cut}`)
  assert.is(peek(Uint8Array.from([0x82, 0xc1, 0xc1, 0xc1]), 'type'), undefined)
})

/** Random values of every msgpack kind the codec writes. */
function randomValue(int: (a: number, b: number) => number, depth: number): unknown {
  switch (int(0, depth > 3 ? 6 : 9)) {
    case 0: return int(-1_000_000, 1_000_000)
    case 1: return int(0, 1) === 0
    case 2: return null
    case 3: return String.fromCharCode(97 + int(0, 3)).repeat(int(0, int(0, 1) ? 40 : 300))
    case 4: return int(0, 1e9) / 7
    case 5: return 2 ** 40 + int(0, 99)
    case 6: return new Uint8Array(int(0, 40))
    case 7: return Array.from({ length: int(0, 20) }, () => randomValue(int, depth + 1))
    default: {
      const o: Record<string, unknown> = {}
      for (let i = int(0, 20); i > 0; i--) o[`k${int(0, 40)}`] = randomValue(int, depth + 1)
      return o
    }
  }
}

test('agrees with msgpackr over 2,000 random maps', () => {
  const rng = xoroshiro128plus(11)
  const int = (a: number, b: number) => uniformInt(rng, a, b)
  for (let i = 0; i < 2_000; i++) {
    const o = randomValue(int, 1) as Record<string, unknown>
    if (typeof o !== 'object' || o === null || Array.isArray(o) || o instanceof Uint8Array) continue
    if (int(0, 1)) o[`k${int(0, 40)}`] = `type-${i}`
    const known = new KnownStrings(Object.values(o).filter((v): v is string => typeof v === 'string'))
    for (const key of Object.keys(o)) {
      const v = o[key]
      const expected = typeof v === 'string' && v.length > 0 && v.length < 32 ? v : undefined
      assert.is(peek(packr.pack(o), key, known), expected, `map ${i} key ${key}`)
    }
  }
})

test.run()
