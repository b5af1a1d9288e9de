/** The slots the monitor passes look at nodes by (see wakeups.ts). */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fileAll, fileOne, slotOf, takeBefore } from '../../../../actors/controllers/node-lifecycle/wakeups.js'

test('a deadline falls in the slot of its monitor period, rounded down; never and next pass stay as they are', () => {
  assert.is(slotOf(12_345, 5_000), 10_000)
  assert.is(slotOf(10_000, 5_000), 10_000)
  assert.is(slotOf(Infinity, 5_000), Infinity)
  assert.is(slotOf(-Infinity, 5_000), -Infinity)
})

test('filing keeps the slots sorted and merges into an existing slot; never is not filed', () => {
  let w = fileAll([], new Map([[10_000, ['a']], [-Infinity, ['new']], [Infinity, ['never']]]))
  w = fileOne(w, 5_000, 'b')
  w = fileOne(w, 10_000, 'c')
  assert.equal(w, [
    { at: -Infinity, nodes: ['new'] },
    { at: 5_000, nodes: ['b'] },
    { at: 10_000, nodes: ['a', 'c'] },
  ])
})

test('a pass takes the slots that began before it, the rest wait', () => {
  const w = fileAll([], new Map([[-Infinity, ['x']], [5_000, ['a']], [10_000, ['b']]]))
  const { taken, rest } = takeBefore(w, 10_000)
  assert.equal(taken.map((s) => s.nodes), [['x'], ['a']])
  assert.equal(rest.map((s) => s.nodes), [['b']])
  assert.equal(takeBefore(rest, 10_000).taken, [])
})

test.run()
