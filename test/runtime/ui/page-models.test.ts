/** The page's other pure parts: the virtualized grid window, NDJSON lines, the timeline's lookups, statechart highlighting. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { EventRow } from '../../../events/api.js'
import { cardPosition, gridWindow } from '../../../runtime/ui/model/grid.js'
import { LineSplitter } from '../../../runtime/ui/model/ndjson.js'
import { activeIds, activePaths, formatValue, transitionDiff } from '../../../runtime/ui/model/statechart.js'
import { describeRow, EventTimeline } from '../../../runtime/ui/model/timeline.js'

const CARD = { cardWidth: 100, cardHeight: 50, gap: 10 }

test('the grid keeps only the rows in view (plus overscan) of 1,000 cards', () => {
  const w = gridWindow({ count: 1000, width: 330, viewportHeight: 120, scrollTop: 0, overscanRows: 1, ...CARD })
  assert.is(w.columns, 3)
  assert.is(w.rows, 334)
  assert.is(w.height, 334 * 60 - 10)
  assert.equal([w.first, w.end], [0, 9], 'rows 0-1 in view, row 2 overscan')
  const mid = gridWindow({ count: 1000, width: 330, viewportHeight: 120, scrollTop: 6000, overscanRows: 1, ...CARD })
  assert.equal([mid.first, mid.end], [99 * 3, 103 * 3])
  const end = gridWindow({ count: 1000, width: 330, viewportHeight: 120, scrollTop: 1e9, overscanRows: 1, ...CARD })
  assert.is(end.end, 1000)
  assert.equal(cardPosition(4, 3, CARD), { left: 110, top: 60 })
  assert.is(gridWindow({ count: 5, width: 10, viewportHeight: 100, scrollTop: 0, ...CARD }).columns, 1, 'a narrow window still shows one column')
})

test('NDJSON lines cut across chunks are joined; blank lines skipped', () => {
  const s = new LineSplitter()
  assert.equal(s.push('{"a":1}\n{"b"'), ['{"a":1}'])
  assert.equal(s.push(':2}\n\n{"c":3}'), ['{"b":2}'])
  assert.equal(s.end(), ['{"c":3}'])
})

const row = (rev: number, at: number, type = 'PodCreated'): EventRow => ({ rev, type, object: `pod/default/p${rev}`, by: 'admin', at })

test('the timeline finds the event at any revision', () => {
  const t = new EventTimeline()
  t.followFrom(2)
  for (const r of [2, 3, 5, 9]) t.append(row(r, r * 1000))
  assert.not.ok(t.append(row(5, 0)), 'a replayed row is ignored')
  assert.is(t.head, 9)
  assert.is(t.at(4)!.rev, 3)
  assert.is(t.at(9)!.rev, 9)
  assert.is(t.at(1), undefined)
  assert.equal(t.around(5, 2, 1).map((r) => r.rev), [3, 5, 9])
  assert.equal(t.around(1, 2, 2).map((r) => r.rev), [2, 3])
  assert.is(describeRow(row(7, Date.UTC(2026, 0, 1, 12, 1, 2)), 'UTC'), 'rev 7 · PodCreated pod/default/p7 by admin · 12:01:02')
})

test('a long log loads as its live tail plus the windows the slider visits', () => {
  const t = new EventTimeline()
  t.followFrom(901)
  for (let r = 901; r <= 1000; r++) t.append(row(r, r))
  assert.is(t.missing(950, 20), undefined, 'the tail is loaded')
  assert.equal(t.missing(300, 20), { since: 280, until: 320 })
  assert.equal(t.missing(890, 20), { since: 870, until: 900 }, 'a window stops where the tail starts')
  t.addBlock([row(281, 281), row(300, 300), row(320, 320)], 280, 320)
  assert.is(t.missing(300, 20), undefined)
  assert.ok(t.isLoaded(290) && !t.isLoaded(279))
  assert.is(t.at(310)!.rev, 300, 'revisions without a row name the event before them')
  t.addBlock([row(320, 320), row(330, 330)], 310, 340)
  assert.equal(t.rows.slice(0, 4).map((r) => r.rev), [281, 300, 320, 330], 'overlapping windows merge without duplicates')
  assert.is(t.missing(325, 15), undefined, 'adjacent ranges join')
  assert.is(t.head, 1000)
})

test('active states of a value map to the diagram ids, nested and parallel', () => {
  assert.equal(activePaths('ready'), ['ready'])
  assert.equal(activePaths({ health: 'unknown', taint: { tainted: 'waiting' } }), ['health', 'health.unknown', 'taint', 'taint.tainted', 'taint.tainted.waiting'])
  const ids = ['node', 'node.health', 'node.health.ready', 'node.health.unknown', 'node.taint', 'node.taint.tainted', 'node.taint.tainted.waiting', 'node.taint.none']
  assert.equal([...activeIds({ health: 'unknown', taint: 'none' }, ids, 'node')].sort(), ['node.health', 'node.health.unknown', 'node.taint', 'node.taint.none'])
  assert.equal([...activeIds('ready', ['m.ready', 'm.other.ready'])], ['m.ready'], 'without the root id, the path at the right depth')
  assert.equal(transitionDiff(new Set(['a', 'a.x']), new Set(['a', 'a.y'])), { entered: ['a.y'], exited: ['a.x'] })
  assert.is(formatValue({ health: 'unknown', taint: { tainted: 'waiting' } }), 'health: unknown, taint: {tainted: waiting}')
})

test.run()
