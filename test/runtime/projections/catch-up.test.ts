/** A folded catch-up replay builds the store a full replay builds, decoding only what counts. */
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeEvent, encode, encodeEvent, faultSubject, logSubject, type LogEvent } from '../../../events/index.js'
import { CatchUp } from '../../../runtime/projections/catch-up.js'
import { ClusterStore } from '../../../runtime/projections/cluster-store.js'
import { projectionHash } from '../../../runtime/projections/hash.js'
import type { ObjectChange } from '../../../runtime/projections/types.js'
import { randomHistory } from '../../support/random-history.js'

interface Frame {
  rev: number
  subject: string
  frame: Uint8Array
}

/** A random history as log frames, with what a real log may also hold: chaos records, frames that do not decode, an event on another resource's subject. */
function randomFrames(seed: number, length: number): Frame[] {
  const rng = xoroshiro128plus(seed * 31)
  const int = (a: number, b: number) => uniformInt(rng, a, b)
  const frames: Frame[] = []
  for (const r of randomHistory(seed, length)) {
    frames.push({ rev: r.rev, subject: r.subject, frame: encodeEvent(r.event) })
    const extra = int(0, 29)
    const rev = r.rev + 0.5 // placed between two revisions, renumbered below
    if (extra === 0) frames.push({ rev, subject: faultSubject(`f${int(0, 3)}`), frame: encodeEvent({ type: 'FaultInjected', v: 1, at: 1, by: 'chaos', data: { id: 'f', fault: { kind: 'pause', actor: 'scheduler' } } } as never) })
    if (extra === 1) frames.push({ rev, subject: r.subject, frame: Uint8Array.from([0xc1, int(0, 255), int(0, 255)]) })
    if (extra === 2) frames.push({ rev, subject: r.subject, frame: encode({ type: 'PodExploded', v: 1, at: 1, by: 'x', data: {} }) })
    if (extra === 3) frames.push({ rev, subject: logSubject('nodes', undefined, 'n1'), frame: encodeEvent({ type: 'PodStatusUpdated', v: 1, at: 1, by: 'x', data: { status: { phase: 'Failed' } } }) })
  }
  // Integer revisions again, the history's gaps kept.
  return frames.map((f) => ({ ...f, rev: f.rev * 2 }))
}

/** The reference: every frame decoded and applied on its own, as `ClusterStore.apply` does live. */
function fullReplay(frames: Frame[], store = new ClusterStore()): ClusterStore {
  for (const f of frames) {
    try {
      store.apply({ rev: f.rev, subject: f.subject, event: decodeEvent(f.frame) })
    } catch {
      store.skipUndecodable(f.subject, f.rev)
    }
  }
  return store
}

test('folded = full replay (content hash and objects) over 300 random histories, any amount waiting, malformed frames included', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rng = xoroshiro128plus(seed)
    const frames = randomFrames(seed, uniformInt(rng, 1, 300))
    const full = fullReplay(frames)
    const store = new ClusterStore()
    const malformed: number[] = []
    const slabBytes = uniformInt(rng, 64, 4_096) // small slabs: frames wait, are flushed early, some are too large to wait
    const catchUp = new CatchUp(store, { slabBytes, maxPendingBytes: slabBytes * uniformInt(rng, 1, 8), onMalformed: (rev) => malformed.push(rev) })
    for (const f of frames) catchUp.offer(f.rev, f.subject, f.frame)
    catchUp.finish()
    assert.is(projectionHash(store), projectionHash(full), `seed ${seed}`)
    for (const r of ['pods', 'nodes', 'replicasets'] as const) {
      const byKey = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort()
      assert.equal(byKey(store.resource(r).list()), byKey(full.resource(r).list()), `seed ${seed} ${r}`)
    }
    // Frames whose type cannot be read are decoded at once, so they are always reported.
    for (const f of frames) if (f.frame[0] === 0xc1) assert.ok(malformed.includes(f.rev), `seed ${seed}: rev ${f.rev} not reported`)
  }
})

test('a store that already holds objects (a snapshot) is continued, and its objects are never changed in place', () => {
  for (let seed = 1; seed <= 100; seed++) {
    const frames = randomFrames(seed + 1000, 200)
    const cut = 100
    const full = fullReplay(frames)
    const store = fullReplay(frames.slice(0, cut))
    const before = [...store.pods.list(), ...store.nodes.list(), ...store.replicasets.list()].map((o) => [o, JSON.stringify(o)] as const)
    const catchUp = new CatchUp(store, { slabBytes: 256 << seed % 5, maxPendingBytes: 1_024 * (1 + (seed % 7)) })
    for (const f of frames.slice(cut)) catchUp.offer(f.rev, f.subject, f.frame)
    catchUp.finish()
    assert.is(projectionHash(store), projectionHash(full), `seed ${seed}`)
    for (const [o, json] of before) assert.is(JSON.stringify(o), json, `seed ${seed}: an object from before the catch-up changed`)
  }
})

test('an event that a later one supersedes is never decoded: a deleted pod, a replaced status', () => {
  const subject = logSubject('pods', 'default', 'p')
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }] } }
  // Readable type, unreadable body: decoding it would report it.
  const poisoned = (type: LogEvent['type']) => encode({ type, v: 1, at: 1, by: 'x' })
  const frames: Frame[] = [
    { rev: 1, subject, frame: encodeEvent({ type: 'PodCreated', v: 1, at: 1, by: 'u', data: { object: pod } } as LogEvent) },
    { rev: 2, subject, frame: poisoned('PodBound') },
    { rev: 3, subject, frame: encodeEvent({ type: 'PodDeleted', v: 1, at: 1, by: 'k', data: {} } as LogEvent) },
    { rev: 4, subject, frame: encodeEvent({ type: 'PodCreated', v: 1, at: 1, by: 'u', data: { object: pod } } as LogEvent) },
    { rev: 5, subject, frame: poisoned('PodStatusUpdated') },
    { rev: 6, subject, frame: encodeEvent({ type: 'PodStatusUpdated', v: 1, at: 1, by: 'k', data: { status: { phase: 'Running' } } } as LogEvent) },
  ]
  const store = new ClusterStore()
  const malformed: number[] = []
  const catchUp = new CatchUp(store, { onMalformed: (rev) => malformed.push(rev) })
  for (const f of frames) catchUp.offer(f.rev, f.subject, f.frame)
  catchUp.finish()
  assert.equal(malformed, [])
  assert.is(store.pods.get('default/p')?.status?.phase, 'Running')
  assert.is(store.pods.get('default/p')?.metadata?.resourceVersion, '6')
  assert.is(store.subjectRev(subject), 6)
  // Applied one by one, the same frames report both.
  fullReplay(frames)
  const live = new CatchUp(new ClusterStore(), { onMalformed: (rev) => malformed.push(rev) })
  live.finish()
  for (const f of frames) live.offer(f.rev, f.subject, f.frame)
  assert.equal(malformed, [2, 5])
})

test('a watcher that subscribes during a catch-up gets every change from then on, and its view converges', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const frames = randomFrames(seed + 500, 300)
    const store = new ClusterStore()
    const catchUp = new CatchUp(store, { slabBytes: 512, maxPendingBytes: 512 * (1 + (seed % 20)) })
    const half = 150
    for (const f of frames.slice(0, half)) catchUp.offer(f.rev, f.subject, f.frame)
    // The watcher's view: the initial list, then each change applied, as an informer keeps it.
    const view = new Map<string, unknown>()
    const key = (o: unknown) => JSON.stringify([(o as { metadata?: { namespace?: string } }).metadata?.namespace, (o as { metadata?: { name?: string } }).metadata?.name])
    const sub = store.pods.changes$.subscribe((c) => (c.type === 'DELETED' ? view.delete(key(c.object)) : view.set(key(c.object), c.object)))
    for (const f of frames.slice(half)) catchUp.offer(f.rev, f.subject, f.frame)
    catchUp.finish()
    sub.unsubscribe()
    const full = fullReplay(frames)
    assert.equal([...view.values()].map((o) => JSON.stringify(o)).sort(), full.pods.list().map((o) => JSON.stringify(o)).sort(), `seed ${seed}`)
    assert.is(projectionHash(store), projectionHash(full), `seed ${seed}`)
  }
})

test('waitFor resolves only once the folded objects are in the store', async () => {
  const frames = randomFrames(9, 100)
  const store = new ClusterStore()
  const catchUp = new CatchUp(store)
  let resolved = false
  const waiting = store.waitFor(frames.at(-1)!.rev).then(() => (resolved = true))
  for (const f of frames) catchUp.offer(f.rev, f.subject, f.frame)
  await Promise.resolve()
  assert.is(resolved, false)
  catchUp.finish()
  await waiting
  assert.is(resolved, true)
  assert.is(projectionHash(store), projectionHash(fullReplay(frames)))
})

test.run()
