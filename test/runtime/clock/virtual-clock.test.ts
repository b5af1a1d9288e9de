import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'

test('fires timers in time order, then insertion order', () => {
  const clock = new VirtualClock(1000)
  const fired: string[] = []
  clock.setTimeout(() => fired.push('b'), 20)
  clock.setTimeout(() => fired.push('a'), 10)
  clock.setTimeout(() => fired.push('c'), 20)
  clock.advance(15)
  assert.equal(fired, ['a'])
  assert.is(clock.now(), 1015)
  clock.advance(5)
  assert.equal(fired, ['a', 'b', 'c'])
})

test('a cleared timer never fires', () => {
  const clock = new VirtualClock()
  let n = 0
  const id = clock.setTimeout(() => n++, 10)
  clock.clearTimeout(id)
  clock.advance(100)
  assert.is(n, 0)
  assert.is(clock.pending, 0)
})

test('timers set while firing run within the same advance when due', () => {
  const clock = new VirtualClock()
  const at: number[] = []
  const tick = () => {
    at.push(clock.now())
    if (at.length < 5) clock.setTimeout(tick, 10)
  }
  clock.setTimeout(tick, 10)
  clock.advance(100)
  assert.equal(at, [10, 20, 30, 40, 50])
})

test('150,000 timers fire in order without re-sorting', () => {
  const clock = new VirtualClock()
  let last = -1
  let ordered = true
  for (let i = 0; i < 150_000; i++) {
    const due = (i * 7919) % 100_000
    clock.setTimeout(() => {
      if (clock.now() < last) ordered = false
      last = clock.now()
    }, due)
  }
  clock.runAll()
  assert.ok(ordered)
  assert.is(clock.pending, 0)
})

test.run()
