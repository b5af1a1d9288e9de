/** The persistent table machine contexts keep their rows in: reads, copy-on-write, batches, JSON. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { drop, emptyTable, has, lookup, put, tableEntries, tableKeys, TableEditor, tableOf, tableSize, tableValues, type Table } from '../../../actors/lib/sharded-table.js'

const keys = (n: number) => Array.from({ length: n }, (_, i) => `default/pod-${i}`)

test('set, read, overwrite and remove, with the size kept', () => {
  let t = emptyTable<number>()
  t = put(t, 'a', 1)
  t = put(t, 'b', 2)
  t = put(t, 'a', 3)
  assert.is(lookup(t, 'a'), 3)
  assert.is(lookup(t, 'b'), 2)
  assert.is(lookup(t, 'c'), undefined)
  assert.is(has(t, 'b'), true)
  assert.is(tableSize(t), 2)
  t = drop(t, 'a')
  assert.is(lookup(t, 'a'), undefined)
  assert.is(tableSize(t), 1)
  assert.is(drop(t, 'missing'), t, 'removing an absent key returns the same table')
  assert.equal(tableEntries(drop(t, 'b')), [])
})

test('update: one walk; the same table back when the value does not change', () => {
  const ed = new TableEditor()
  const t = tableOf([['n1', 10]])
  const max = (renewTime: number) => (known: number | undefined) => (known !== undefined && known >= renewTime ? known : renewTime)
  assert.is(ed.update(t, 'n1', max(5)), t, 'an older value changes nothing')
  const newer = ed.update(t, 'n1', max(20))
  assert.is(lookup(newer, 'n1'), 20)
  assert.is(lookup(t, 'n1'), 10)
  assert.is(lookup(ed.update(newer, 'n2', max(1)), 'n2'), 1)
  assert.is(tableSize(ed.update(newer, 'n1', () => undefined)), 0)
  assert.is(ed.update(newer, 'absent', () => undefined), newer)
})

test('a table handed out never changes: updates copy what they touch', () => {
  const before = tableOf(keys(1_000).map((k, i) => [k, i] as const))
  const after = put(before, 'default/pod-7', -1)
  assert.is(lookup(before, 'default/pod-7'), 7)
  assert.is(lookup(after, 'default/pod-7'), -1)
  assert.is(tableSize(before), 1_000)
  const removed = drop(after, 'default/pod-8')
  assert.is(lookup(after, 'default/pod-8'), 8)
  assert.is(lookup(removed, 'default/pod-8'), undefined)
})

test('one editor for a batch: earlier tables of the same editor may change, the base does not', () => {
  const base = tableOf(keys(100).map((k) => [k, 0] as const))
  const ed = new TableEditor()
  let t: Table<number> = base
  for (const [i, k] of keys(5_000).entries()) t = ed.set(t, k, i + 1)
  assert.is(tableSize(t), 5_000)
  assert.is(lookup(t, 'default/pod-4999'), 5_000)
  assert.is(tableSize(base), 100)
  assert.ok(tableValues(base).every((v) => v === 0), 'the base is untouched')
})

test('keys, values and entries list every row once', () => {
  const t = tableOf(keys(3_000).map((k, i) => [k, i] as const))
  assert.is(new Set(tableKeys(t)).size, 3_000)
  assert.is(tableValues(t).reduce((a, b) => a + b, 0), (2_999 * 3_000) / 2)
  for (const [k, v] of tableEntries(t)) assert.is(k, `default/pod-${v}`)
})

test('a JSON round trip (a persisted snapshot) reads the same and takes updates', () => {
  let t = tableOf(keys(200).map((k, i) => [k, { i }] as const))
  t = drop(t, 'default/pod-3')
  const back = JSON.parse(JSON.stringify(t)) as Table<{ i: number }>
  assert.is(tableSize(back), 199)
  assert.equal(lookup(back, 'default/pod-5'), { i: 5 })
  assert.is(lookup(back, 'default/pod-3'), undefined)
  const next = put(back, 'default/pod-3', { i: 33 })
  assert.equal(lookup(next, 'default/pod-3'), { i: 33 })
  assert.is(tableSize(next), 200)
})

test('an update of one row in 50,000 copies a few short arrays, not the table', () => {
  const ed = new TableEditor()
  let t: Table<number> = emptyTable()
  for (const [i, k] of keys(50_000).entries()) t = ed.set(t, k, i)
  const started = performance.now()
  let u = t
  for (let i = 0; i < 50_000; i++) u = put(u, `default/pod-${i % 50_000}`, -i)
  const ms = performance.now() - started
  assert.is(lookup(t, 'default/pod-42'), 42)
  assert.is(lookup(u, 'default/pod-42'), -42)
  // ~0.1 s here; copying a 780-row shard per update took over 10 times as long.
  assert.ok(ms < 10_000, `${Math.round(ms)} ms`)
})

test.run()
