/**
 * The watch cache answers a resume from a recent resourceVersion with exactly the changes after
 * it, and refuses (undefined: rebuild from the log instead) once older changes have left it.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Subject } from 'rxjs'
import type { ObjectChange } from '../../../runtime/projections/types.js'
import { WatchCache } from '../../../runtime/projections/watch-cache.js'

const change = (rev: number): ObjectChange<{ n: number }> => ({ type: 'MODIFIED', rev, object: { n: rev }, event: { type: 'PodUpdated', v: 1, at: 0, by: 'test', data: {} } as never })

test('changes after a covered revision, in order; none before the cache existed', () => {
  const changes$ = new Subject<ObjectChange<{ n: number }>>()
  const cache = new WatchCache(changes$, 10, 5)
  assert.equal(cache.since(10), [])
  assert.is(cache.since(9), undefined, 'revision 10 and older were never seen')
  changes$.next({ type: 'ADDED', rev: 3, object: { n: 3 } }) // an informer's initial list: ignored
  for (const rev of [12, 15, 16]) changes$.next(change(rev))
  assert.equal(cache.since(10)!.map((c) => c.rev), [12, 15, 16])
  assert.equal(cache.since(12)!.map((c) => c.rev), [15, 16])
  assert.equal(cache.since(14)!.map((c) => c.rev), [15, 16], 'revisions of other resources in between are fine')
  assert.equal(cache.since(16), [])
  cache.stop()
})

test('past its capacity the oldest changes leave, and resumes from before them are refused', () => {
  const changes$ = new Subject<ObjectChange<{ n: number }>>()
  const cache = new WatchCache(changes$, 0, 3)
  for (let rev = 1; rev <= 20; rev++) changes$.next(change(rev))
  const oldest = 20 - cache.since(20 - 3)!.length
  assert.ok(cache.since(17)!.length === 3)
  assert.is(cache.since(1), undefined)
  assert.ok(oldest <= 17)
  // Whatever it still answers is complete: every revision after the asked one.
  for (let from = 0; from <= 20; from++) {
    const got = cache.since(from)
    if (got) assert.equal(got.map((c) => c.rev), Array.from({ length: 20 - from }, (_, i) => from + 1 + i))
  }
  cache.stop()
})

test.run()
