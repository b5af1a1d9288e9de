/** Snapshot + tail equals full replay (same content hash), across random histories and cut points. */
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { LogEvent, Recorded } from '../../../events/index.js'
import { ClusterStore } from '../../../runtime/projections/cluster-store.js'
import { canonicalJson, projectionHash } from '../../../runtime/projections/hash.js'
import { captureSnapshot, decodeSnapshot, encodeSnapshot, isSnapshotError, SNAPSHOT_FORMAT, SnapshotErrorCode } from '../../../runtime/projections/snapshot-codec.js'
import { randomHistory } from '../../support/random-history.js'

const replay = (events: Recorded<LogEvent>[], store = new ClusterStore()) => {
  for (const e of events) store.apply(e)
  return store
}
const snapshotBytes = (store: ClusterStore) => Buffer.concat([...encodeSnapshot(captureSnapshot(store))])
const restore = (store: ClusterStore) => decodeSnapshot(snapshotBytes(store)).store

test('snapshot at a random revision + the tail after it = full replay, for 200 random histories', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rng = xoroshiro128plus(seed * 7919)
    const history = randomHistory(seed, uniformInt(rng, 1, 400))
    const full = replay(history)
    // Up to three snapshots along the way, each taken from a store that itself started from the previous one.
    let store = new ClusterStore()
    let at = 0
    for (let k = uniformInt(rng, 1, 3); k > 0; k--) {
      const cut = uniformInt(rng, at, history.length)
      replay(history.slice(at, cut), store)
      store = restore(store)
      at = cut
    }
    replay(history.slice(at), store)
    assert.is(projectionHash(store), projectionHash(full), `seed ${seed}: cut points diverge`)
    assert.is(store.rev, full.rev)
    assert.equal(store.pods.list(), full.pods.list(), `seed ${seed}`)
  }
})

test('a restored store accepts the next append where the full replay would: subject revisions survive', () => {
  const history = randomHistory(42, 300)
  const full = replay(history)
  const restored = restore(full)
  for (const [subject, rev] of full.subjectRevisions()) assert.is(restored.subjectRev(subject), rev)
  assert.is(restored.pods.rev, full.pods.rev)
  assert.is(restored.nodes.rev, full.nodes.rev)
})

test('the content hash ignores key order and sees every change', () => {
  const a = { b: 1, a: { y: [1, { q: 2, p: 3 }], x: 'z' } }
  const b = { a: { x: 'z', y: [1, { p: 3, q: 2 }] }, b: 1 }
  assert.is(canonicalJson(a), canonicalJson(b))
  const history = randomHistory(7, 200)
  const full = replay(history)
  const h = projectionHash(full)
  assert.is(projectionHash(replay(history)), h, 'deterministic')
  assert.is.not(projectionHash(replay(history.slice(0, -1))), h, 'one event less changes the hash')
})

test('a corrupt or cut snapshot is refused with a SnapshotError, never half-loaded', () => {
  const store = replay(randomHistory(3, 300))
  const bytes = snapshotBytes(store)
  const into = new ClusterStore()
  for (const [bad, code] of [
    [bytes.subarray(0, bytes.length - 7), SnapshotErrorCode.Truncated],
    [Buffer.concat([bytes, Buffer.from([0, 0, 0, 9, 1])]), SnapshotErrorCode.Truncated],
    [Buffer.from(bytes).fill(0xc1, 40, 60), SnapshotErrorCode.Corrupt],
  ] as const) {
    try {
      decodeSnapshot(bad, { into })
      assert.unreachable('accepted')
    } catch (e) {
      assert.ok(isSnapshotError(e), String(e))
      assert.is(e.code, code, e.message)
    }
  }
  assert.is(into.rev, 0)
  assert.is(into.pods.size, 0)
})

test('a snapshot of another format or other event schema versions is incompatible', () => {
  const capture = captureSnapshot(replay(randomHistory(5, 50)))
  for (const header of [
    { ...capture.header, format: SNAPSHOT_FORMAT + 1 },
    { ...capture.header, schemaVersions: { ...capture.header.schemaVersions, PodBound: 2 } },
  ]) {
    try {
      decodeSnapshot(Buffer.concat([...encodeSnapshot({ ...capture, header })]))
      assert.unreachable('accepted')
    } catch (e) {
      assert.ok(isSnapshotError(e) && e.code === SnapshotErrorCode.Incompatible, String(e))
    }
  }
})

test('decoding one resource skips the others', () => {
  const full = replay(randomHistory(11, 300))
  const { store } = decodeSnapshot(snapshotBytes(full), { only: 'pods' })
  assert.equal(store.pods.list(), full.pods.list())
  assert.is(store.nodes.size, 0)
  assert.is(store.rev, full.rev)
})

test.run()
