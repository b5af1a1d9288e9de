/** Snapshot + tail equals full replay (same content hash), across random histories and cut points. */
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Packr } from 'msgpackr'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { decode, FrameErrorCode, MalformedFrameError, type LogEvent, type Recorded } from '../../../events/index.js'
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

/** `n` pods sharing most of their strings (image, phase, node names, timestamps) and with label sets of many shapes. */
function manyPods(n: number, o: { seed?: number; annotation?: string } = {}): ClusterStore {
  const rng = xoroshiro128plus(o.seed ?? 1)
  const store = new ClusterStore()
  for (let i = 0; i < n; i++) {
    const labels: Record<string, string> = { app: `app-${i % 7}` }
    for (let k = uniformInt(rng, 0, 6); k > 0; k--) labels[`key-${uniformInt(rng, 0, 30)}`] = `value-${uniformInt(rng, 0, 3)}`
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `pod-${i}`, namespace: 'default', uid: `uid-${i}`, labels, annotations: { note: o.annotation ?? '' }, creationTimestamp: `2026-11-23T12:${String(Math.floor(i / 600) % 60).padStart(2, '0')}:00Z` },
      spec: { nodeName: `node-${i % 40}`, containers: [{ name: 'c', image: 'busybox', command: ['sleep', String(uniformInt(rng, 1, 5) * 100)] }] },
      status: { phase: i % 3 ? 'Running' : 'Pending', podIP: `10.0.${i >> 8}.${i & 255}`, conditions: [{ type: 'Ready', status: i % 3 ? 'True' : 'False' }] },
    }
    store.pods.set(`default/pod-${i}`, pod, { rev: i + 1 })
    store.restoreSubjectRev(`kstate.log.pods.default.pod-${i}`, i + 1)
  }
  store.rev = n
  return store
}

test('repeated strings are stored once: many pods of many shapes decode to the same objects, a string all share costs next to nothing', () => {
  const note = 'x'.repeat(200)
  const store = manyPods(3_000, { annotation: note })
  const bytes = snapshotBytes(store)
  const { store: back } = decodeSnapshot(bytes)
  assert.equal(back.pods.list(), store.pods.list())
  assert.is(projectionHash(back), projectionHash(store))
  const without = snapshotBytes(manyPods(3_000)).length
  assert.ok(bytes.length - without < 3_000 * 10, `200 more characters in each of 3,000 pods made the snapshot ${bytes.length - without} bytes larger`)
  const plain = new Packr({ useRecords: true, mapsAsObjects: true, moreTypes: false })
  assert.ok(plain.pack(store.pods.list()).length - plain.pack(manyPods(3_000).pods.list()).length > 3_000 * 200, 'plain msgpack stores it each time')
  // The string table and the record definitions span frames: a reader of one resource still gets every pod.
  assert.equal(decodeSnapshot(bytes, { only: 'pods' }).store.pods.list(), store.pods.list())
})

test('a string reference beyond its table is a corrupt snapshot; outside a snapshot it is an undecodable log frame', () => {
  const bytes = Buffer.from(snapshotBytes(manyPods(30)))
  // fixext1 0x32 (REF), filler byte, then the index: point one reference past the table.
  const at = bytes.indexOf(Buffer.from([0xd4, 0x32, 0x00]))
  assert.ok(at > 0, 'the snapshot uses string references')
  bytes[at + 3] = 0x7f
  try {
    decodeSnapshot(bytes)
    assert.unreachable('accepted')
  } catch (e) {
    assert.ok(isSnapshotError(e), String(e))
    assert.is(e.code, SnapshotErrorCode.Corrupt)
    assert.match(e.message, /beyond the table/)
  }
  try {
    decode(Buffer.from([0x81, 0xa1, 0x61, 0xd4, 0x32, 0x00, 0x01]))
    assert.unreachable('accepted')
  } catch (e) {
    assert.instance(e, MalformedFrameError)
    assert.is((e as MalformedFrameError).code, FrameErrorCode.Undecodable)
  }
})

test.run()
