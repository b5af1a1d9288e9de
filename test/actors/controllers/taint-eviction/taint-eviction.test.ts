import type { Toleration } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor } from 'xstate'
import { evaluateTaints, lookup, retryDelay, taintEvictionMachine, defaultTaintEvictionConfig, type TaintEvictionContext, type TrackedTaint } from '../../../../actors/controllers/taint-eviction/taint-eviction.js'
import { NOT_READY, SECOND, START, UNREACHABLE, defaultTolerations, evictPod, harness, pod } from './harness.js'

const tracked = (key: string, since: number, rev = 1, effect = 'NoExecute'): TrackedTaint => ({ taint: { key, effect }, rev, since })

test('evaluateTaints: first matching toleration per taint, minimum seconds, forever, negative', () => {
  const nr = tracked(NOT_READY, 0, 7)
  const ur = tracked(UNREACHABLE, 10_000, 8)
  const cases: { name: string; taints: TrackedTaint[]; tolerations: Toleration[]; want: ReturnType<typeof evaluateTaints> }[] = [
    { name: 'no taints', taints: [], tolerations: [], want: { kind: 'tolerated' } },
    { name: 'no tolerations', taints: [nr], tolerations: [], want: { kind: 'untolerated', taint: nr } },
    { name: 'first untolerated in node order', taints: [nr, ur], tolerations: [], want: { kind: 'untolerated', taint: nr } },
    { name: 'one of two untolerated', taints: [nr, ur], tolerations: [defaultTolerations()[0]], want: { kind: 'untolerated', taint: ur } },
    { name: 'default 300 s', taints: [nr], tolerations: defaultTolerations(), want: { kind: 'until', at: 300_000, taint: nr } },
    { name: 'earliest end over taints (since + seconds)', taints: [ur, nr], tolerations: defaultTolerations(), want: { kind: 'until', at: 300_000, taint: nr } },
    {
      name: 'minimum seconds wins',
      taints: [nr, ur],
      tolerations: [{ key: NOT_READY, operator: 'Exists', tolerationSeconds: 600 }, { key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 60 }],
      want: { kind: 'until', at: 70_000, taint: ur },
    },
    { name: 'no seconds: forever', taints: [nr], tolerations: [{ operator: 'Exists' }], want: { kind: 'tolerated' } },
    {
      name: 'forever for one taint, bounded for another',
      taints: [nr, ur],
      tolerations: [{ key: NOT_READY, operator: 'Exists' }, { key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 30 }],
      want: { kind: 'until', at: 40_000, taint: ur },
    },
    {
      name: 'only the first matching toleration counts',
      taints: [nr],
      tolerations: [{ key: NOT_READY, operator: 'Exists' }, { key: NOT_READY, operator: 'Exists', tolerationSeconds: 5 }],
      want: { kind: 'tolerated' },
    },
    { name: 'negative seconds: at once', taints: [nr], tolerations: [{ operator: 'Exists', tolerationSeconds: -10 }], want: { kind: 'until', at: 0, taint: nr } },
    { name: 'NoSchedule toleration does not cover NoExecute', taints: [nr], tolerations: [{ key: NOT_READY, operator: 'Exists', effect: 'NoSchedule' }], want: { kind: 'untolerated', taint: nr } },
  ]
  for (const c of cases) assert.equal(evaluateTaints(c.taints, c.tolerations), c.want, c.name)
})

test('retryDelay doubles from the initial delay up to the cap', () => {
  assert.equal([1, 2, 3, 5, 6, 10].map((n) => retryDelay(n, defaultTaintEvictionConfig)), [1000, 2000, 4000, 16_000, 30_000, 30_000])
})

test('a pod that does not tolerate a NoExecute taint is evicted at once, the taint event as cause', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1', tolerations: [] }))
  assert.equal(h.take(), [])
  const rev = h.taint('n1', { key: 'dedicated', value: 'gpu', effect: 'NoExecute' })
  assert.equal(h.take(), [evictPod('web', 'n1', 'dedicated', rev)])
  assert.is(h.eviction('default/web')?.phase, 'evicting')
  // The answer, and later node changes, send nothing more.
  h.actor.send({ type: 'EVICTED', key: 'default/web', uid: 'uid-web' })
  h.touch('n1')
  h.pod(pod('web', { node: 'n1', tolerations: [] }))
  h.at(3600)
  assert.equal(h.take(), [])
  assert.is(h.eviction('default/web')?.phase, 'evicted')
})

test('a pod arriving on a node with an untolerated NoExecute taint is evicted at once', () => {
  const h = harness()
  const rev = h.taint('n1', { key: 'dedicated', effect: 'NoExecute' })
  h.pod(pod('web', { node: 'n1', tolerations: [] }))
  assert.equal(h.take(), [evictPod('web', 'n1', 'dedicated', rev)])
})

test('tolerationSeconds 300: nothing at 299 s, EvictPod at 300 s', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1' }))
  const rev = h.taint('n1', h.noExecute(NOT_READY))
  h.touch('n1') // a later node change (status) does not move the cause
  h.at(299)
  assert.equal(h.take(), [])
  h.at(300)
  assert.equal(h.take(), [evictPod('web', 'n1', NOT_READY, rev)])
  assert.is(h.clock.pending, 0)
})

test('a taint removed at 200 s cancels the timer: never evicted', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1' }))
  h.taint('n1', h.noExecute(NOT_READY))
  h.at(200)
  h.untaint('n1', NOT_READY)
  assert.equal(h.ctx().deadlines, [])
  assert.is(h.eviction('default/web'), undefined)
  h.at(3600)
  assert.equal(h.take(), [])
  assert.is(h.clock.pending, 0)
})

test('swap not-ready → unreachable at 200 s (one NodeTainted with replaced) keeps the 300 s deadline, as Kubernetes keeps older work', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1' }))
  h.taint('n1', h.noExecute(NOT_READY))
  h.at(200)
  const swap = h.taint('n1', h.noExecute(UNREACHABLE), NOT_READY)
  h.at(299)
  assert.equal(h.take(), [])
  h.at(300)
  // Evicted on the first taint's deadline, reported with the taint now on the node.
  assert.equal(h.take(), [evictPod('web', 'n1', UNREACHABLE, swap)])
})

test("swap as Kubernetes' SwapNodeControllerTaint does it (add unreachable, then remove not-ready) keeps the deadline too", () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1' }))
  h.taint('n1', h.noExecute(NOT_READY))
  h.at(200)
  const added = h.taint('n1', h.noExecute(UNREACHABLE))
  h.untaint('n1', NOT_READY)
  h.at(299)
  assert.equal(h.take(), [])
  h.at(300)
  assert.equal(h.take(), [evictPod('web', 'n1', UNREACHABLE, added)])
})

test('remove, then add: no NoExecute taint in between cancels, the timer restarts from the new taint', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1' }))
  h.taint('n1', h.noExecute(NOT_READY))
  h.at(200)
  h.untaint('n1', NOT_READY)
  const added = h.taint('n1', h.noExecute(UNREACHABLE))
  h.at(499)
  assert.equal(h.take(), [])
  h.at(500)
  assert.equal(h.take(), [evictPod('web', 'n1', UNREACHABLE, added)])
})

test('the countdown starts at timeAdded: a controller that sees the taint late (restart) keeps the deadline', () => {
  const h = harness()
  h.at(100)
  h.node('n1')
  h.pod(pod('web', { node: 'n1' }))
  // Added at START, seen at 100 s: due at 300 s, not 400 s.
  const rev = h.taint('n1', h.noExecute(NOT_READY, START))
  h.at(299)
  assert.equal(h.take(), [])
  h.at(300)
  assert.equal(h.take(), [evictPod('web', 'n1', NOT_READY, rev)])
})

test('a taint without timeAdded counts from when the controller saw it; a NodeUpdated taint gets that change as cause', () => {
  const h = harness()
  h.pod(pod('web', { node: 'n1' }))
  h.at(50)
  const rev = h.node('n1', [{ key: NOT_READY, effect: 'NoExecute' }])
  h.at(349)
  assert.equal(h.take(), [])
  h.at(350)
  assert.equal(h.take(), [evictPod('web', 'n1', NOT_READY, rev)])
})

test('NoSchedule and PreferNoSchedule taints never evict', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1', tolerations: [] }))
  h.taint('n1', { key: 'dedicated', effect: 'NoSchedule' })
  h.taint('n1', { key: NOT_READY, effect: 'NoSchedule' })
  h.taint('n1', { key: 'soft', effect: 'PreferNoSchedule' })
  h.at(3600)
  assert.equal(h.take(), [])
  assert.equal(lookup(h.ctx().nodes, 'n1'), [])
})

test('a pod tolerating forever (no tolerationSeconds) is never evicted; tolerations turning forever cancel a pending eviction', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('daemon', { node: 'n1', tolerations: [{ operator: 'Exists' }] }))
  h.pod(pod('web', { node: 'n1' }))
  h.taint('n1', h.noExecute(NOT_READY))
  assert.ok(h.eviction('default/web'))
  assert.is(h.eviction('default/daemon'), undefined)
  h.at(100)
  h.pod(pod('web', { node: 'n1', tolerations: [{ key: NOT_READY, operator: 'Exists', effect: 'NoExecute' }] }))
  assert.is(h.eviction('default/web'), undefined)
  h.at(24 * 3600)
  assert.equal(h.take(), [])
})

test("a pod's tolerations changing recomputes it: losing the toleration evicts at once", () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1' }))
  const rev = h.taint('n1', h.noExecute(NOT_READY))
  h.at(100)
  h.pod(pod('web', { node: 'n1', tolerations: [defaultTolerations()[1]] }))
  assert.equal(h.take(), [evictPod('web', 'n1', NOT_READY, rev)])
})

test('Kubernetes keeps an older pending eviction: lowering tolerationSeconds later does not bring it forward', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1' }))
  const rev = h.taint('n1', h.noExecute(NOT_READY))
  h.at(100)
  h.pod(pod('web', { node: 'n1', tolerations: defaultTolerations(10) }))
  h.at(299)
  assert.equal(h.take(), [])
  h.at(300)
  assert.equal(h.take(), [evictPod('web', 'n1', NOT_READY, rev)])
})

test('within the same instant the decision is recomputed: a second taint with a shorter toleration wins', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1', tolerations: [...defaultTolerations(), { key: 'maintenance', operator: 'Exists', tolerationSeconds: 60 }] }))
  h.taint('n1', h.noExecute(NOT_READY))
  const rev = h.taint('n1', h.noExecute('maintenance'))
  h.at(59)
  assert.equal(h.take(), [])
  h.at(60)
  assert.equal(h.take(), [evictPod('web', 'n1', 'maintenance', rev)])
})

test('negative tolerationSeconds evicts at once', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1', tolerations: [{ key: NOT_READY, operator: 'Exists', tolerationSeconds: -5 }] }))
  const rev = h.taint('n1', h.noExecute(NOT_READY))
  assert.equal(h.take(), [evictPod('web', 'n1', NOT_READY, rev)])
})

test('pods being deleted or finished are skipped; a pod starting deletion cancels its timer', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('going', { node: 'n1', tolerations: [], deleting: true }))
  h.pod(pod('done', { node: 'n1', tolerations: [], phase: 'Succeeded' }))
  h.pod(pod('failed', { node: 'n1', tolerations: [], phase: 'Failed' }))
  h.pod(pod('web', { node: 'n1' }))
  h.pod(pod('pending', { tolerations: [] })) // not bound: nothing to evict
  h.taint('n1', h.noExecute(NOT_READY))
  assert.equal(h.take(), [])
  h.at(100)
  h.pod(pod('web', { node: 'n1', deleting: true }))
  assert.equal(h.ctx().deadlines, [])
  h.at(3600)
  assert.equal(h.take(), [])
})

test('a pod deleted, replaced (new uid) or moved off the node loses its timer', () => {
  const h = harness()
  h.node('n1')
  h.node('n2')
  for (const name of ['gone', 'replaced', 'moved']) h.pod(pod(name, { node: 'n1' }))
  h.taint('n1', h.noExecute(NOT_READY))
  assert.is(h.ctx().deadlines.flat().length, 3)
  h.at(100)
  h.actor.send({ type: 'POD_REMOVED', key: 'default/gone' })
  // A new pod of the same name on the tainted node: its own eviction, counted from the taint's timeAdded.
  h.pod(pod('replaced', { node: 'n1', uid: 'uid-replaced-2' }))
  h.pod(pod('moved', { node: 'n2' }))
  assert.equal(h.ctx().deadlines.flat(), [[START + 300 * SECOND, 'default/replaced']])
  h.at(300)
  assert.equal(
    h.take().map((c) => [c.name, c.uid]),
    [['replaced', 'uid-replaced-2']],
  )
  h.at(3600)
  assert.equal(h.take(), [])
})

test('a node deleted forgets its taints but pending evictions run on (pod updates leave them alone)', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('a', { node: 'n1' }))
  h.pod(pod('b', { node: 'n1' }))
  const rev = h.taint('n1', h.noExecute(NOT_READY))
  h.actor.send({ type: 'NODE_REMOVED', name: 'n1' })
  assert.is(lookup(h.ctx().nodes, 'n1'), undefined)
  h.at(100)
  h.pod(pod('a', { node: 'n1' }))
  h.at(299)
  assert.equal(h.take(), [])
  h.at(300)
  assert.equal(h.take(), [evictPod('a', 'n1', NOT_READY, rev), evictPod('b', 'n1', NOT_READY, rev)])
})

test('a deleted node registering again without NoExecute taints cancels the pending evictions of its pods', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('a', { node: 'n1' }))
  h.taint('n1', h.noExecute(NOT_READY))
  h.actor.send({ type: 'NODE_REMOVED', name: 'n1' })
  h.at(100)
  h.node('n1')
  assert.equal(h.ctx().deadlines, [])
  h.at(3600)
  assert.equal(h.take(), [])
})

test('retry after a retryable failure, with backoff; a refusal for good drops it until the pod changes', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1', tolerations: [] }))
  const rev = h.taint('n1', h.noExecute(NOT_READY))
  const cmd = evictPod('web', 'n1', NOT_READY, rev)
  assert.equal(h.take(), [cmd])
  h.actor.send({ type: 'EVICT_FAILED', key: 'default/web', uid: 'uid-web', retryable: true, now: h.clock.now() })
  assert.equal(h.take(), [])
  h.clock.advance(999)
  assert.equal(h.take(), [])
  h.clock.advance(1)
  assert.equal(h.take(), [cmd])
  h.actor.send({ type: 'EVICT_FAILED', key: 'default/web', uid: 'uid-web', retryable: true, now: h.clock.now() })
  h.clock.advance(1999)
  assert.equal(h.take(), [])
  h.clock.advance(1)
  assert.equal(h.take(), [cmd])
  // A stale answer for another uid is ignored.
  h.actor.send({ type: 'EVICT_FAILED', key: 'default/web', uid: 'uid-other', retryable: true, now: h.clock.now() })
  assert.is(h.eviction('default/web')?.phase, 'evicting')
  h.actor.send({ type: 'EVICT_FAILED', key: 'default/web', uid: 'uid-web', retryable: false, now: h.clock.now() })
  h.at(3600)
  assert.equal(h.take(), [])
  // Level-triggered: the next version of the pod is evaluated again.
  h.pod(pod('web', { node: 'n1', tolerations: [] }))
  assert.equal(h.take(), [cmd])
})

test('a taint removed during a retry backoff cancels the retry', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1', tolerations: [] }))
  h.taint('n1', h.noExecute(NOT_READY))
  h.take()
  h.actor.send({ type: 'EVICT_FAILED', key: 'default/web', uid: 'uid-web', retryable: true, now: h.clock.now() })
  h.untaint('n1', NOT_READY)
  h.at(3600)
  assert.equal(h.take(), [])
  assert.is(h.eviction('default/web'), undefined)
})

test('one timer for the earliest deadline, however many pods wait', () => {
  const h = harness()
  h.node('n1')
  h.node('n2')
  for (let i = 0; i < 50; i++) h.pod(pod(`a${i}`, { node: 'n1' }))
  for (let i = 0; i < 50; i++) h.pod(pod(`b${i}`, { node: 'n2', tolerations: defaultTolerations(60) }))
  h.taint('n1', h.noExecute(NOT_READY))
  h.taint('n2', h.noExecute(NOT_READY))
  assert.is(h.clock.pending, 1)
  assert.is(h.ctx().timerAt, START + 60 * SECOND)
  h.at(60)
  assert.is(h.take().length, 50)
  assert.is(h.clock.pending, 1)
  assert.is(h.ctx().timerAt, START + 300 * SECOND)
  // Removing the earliest leaves the armed timer; it fires early, finds nothing, re-arms.
  h.untaint('n1', NOT_READY)
  assert.is(h.clock.pending, 0)
  h.at(3600)
  assert.equal(h.take(), [])
})

test('deadlines are data: a persisted snapshot restored and RESUMED evicts on time', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1' }))
  const rev = h.taint('n1', h.noExecute(NOT_READY))
  h.at(100)
  const snapshot = JSON.parse(JSON.stringify(h.actor.getPersistedSnapshot()))
  h.actor.stop()

  const restored = createActor(taintEvictionMachine, { clock: h.clock, snapshot, input: undefined })
  const commands: unknown[] = []
  restored.on('*', (c) => commands.push(c))
  restored.start()
  restored.send({ type: 'RESUMED', now: h.clock.now() })
  h.at(299)
  assert.equal(commands, [])
  h.at(300)
  assert.equal(commands, [evictPod('web', 'n1', NOT_READY, rev)])
  assert.is(h.clock.pending, 0)
})

test('RESUMED re-sends an eviction whose answer was lost with the old process', () => {
  const h = harness()
  h.node('n1')
  h.pod(pod('web', { node: 'n1', tolerations: [] }))
  const rev = h.taint('n1', h.noExecute(NOT_READY))
  h.take()
  const snapshot = h.actor.getPersistedSnapshot()
  h.actor.stop()
  const restored = createActor(taintEvictionMachine, { clock: h.clock, snapshot, input: undefined })
  const commands: unknown[] = []
  restored.on('*', (c) => commands.push(c))
  restored.start()
  restored.send({ type: 'RESUMED', now: h.clock.now() })
  assert.equal(commands, [evictPod('web', 'n1', NOT_READY, rev)])
})

test('deadlines stay sorted across chunk splits and removals', () => {
  const h = harness()
  const n = 2000
  // Pods arrive one by one with distinct deadlines, in scrambled order.
  for (let i = 0; i < n; i++) {
    const j = (i * 7919) % n
    h.pod(pod(`p${j}`, { node: `n${j}`, tolerations: defaultTolerations(1 + j) }))
    h.taint(`n${j}`, h.noExecute(NOT_READY))
  }
  const flat = h.ctx().deadlines.flat()
  assert.is(flat.length, n)
  assert.ok(h.ctx().deadlines.length > 1, 'chunked')
  for (let i = 1; i < flat.length; i++) assert.ok(flat[i - 1][0] <= flat[i][0])
  for (let j = 0; j < n; j += 2) h.untaint(`n${j}`, NOT_READY)
  assert.is(h.ctx().deadlines.flat().length, n / 2)
  const fired: number[] = []
  h.actor.on('EvictPod', (c) => fired.push(Number(c.name.slice(1))))
  h.at(n + 1)
  assert.equal(fired, Array.from({ length: n / 2 }, (_, k) => 2 * k + 1))
  assert.equal(h.ctx().deadlines, [])
})

test('updates are copy-on-write: an earlier snapshot context never changes', () => {
  const h = harness()
  // n0: 1,200 pods due together (whole chunks of the deadline list fire at once); n1, n2: one deadline each.
  for (let i = 0; i < 1200; i++) h.pod(pod(`a${i}`, { node: 'n0', tolerations: defaultTolerations(10) }))
  for (let i = 0; i < 600; i++) h.pod(pod(`p${i}`, { node: `n${1 + (i % 2)}`, tolerations: defaultTolerations(20 + i) }))
  h.taint('n0', h.noExecute(NOT_READY))
  h.taint('n2', h.noExecute(NOT_READY))
  const kept: [TaintEvictionContext, string][] = []
  const keep = () => kept.push([h.ctx(), JSON.stringify(h.ctx())])
  keep()
  h.taint('n1', h.noExecute(NOT_READY))
  h.pod(pod('p1', { node: 'n2', deleting: true }))
  h.actor.send({ type: 'POD_REMOVED', key: 'default/p3' })
  keep()
  h.at(100)
  keep()
  h.untaint('n2', NOT_READY)
  assert.ok(h.take().length > 1200)
  kept.forEach(([ctx, json], i) => assert.ok(JSON.stringify(ctx) === json, `context ${i} changed`))
})

test.run()
