import type { Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { compareForDeletion, retryDelay, type CreatePod } from '../../../../actors/controllers/replicaset/replicaset.js'
import { harness, iso, ofType, pod, replicaSet, T0 } from './harness.js'

test('3 replicas and no pods: CreatePod ×1 then ×2 (slow start), owned, generateName, template labels, cause = the ReplicaSet', () => {
  const h = harness()
  const rev = h.rs(replicaSet('web', 3))
  const first = ofType(h.take(), 'CreatePod')
  assert.is(first.length, 1)
  assert.equal(first[0], {
    type: 'CreatePod',
    namespace: 'default',
    rsKey: 'default/web',
    cause: rev,
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: 'web-',
        namespace: 'default',
        labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }],
      },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    },
  })
  h.send({ type: 'CREATE_DONE', rsKey: 'default/web' })
  const second = h.take()
  assert.equal(second.map((c) => c.type), ['CreatePod', 'CreatePod'])
  assert.ok(second.every((c) => c.cause === rev))
  h.send({ type: 'CREATE_DONE', rsKey: 'default/web' })
  assert.equal(h.take(), [])
  h.send({ type: 'CREATE_DONE', rsKey: 'default/web' })
  // The sync is over: its status (the pods are not observed yet).
  assert.equal(h.take(), [{ type: 'UpdateReplicaSetStatus', namespace: 'default', name: 'web', status: { replicas: 0, observedGeneration: 1 }, cause: rev }])
})

test('expectations: its own creations observed (in either order) satisfy them, nothing is created twice', () => {
  const h = harness()
  h.rs(replicaSet('web', 3))
  const created: Pod[] = []
  for (let round = 0; round < 2; round++) {
    for (const c of ofType(h.take(), 'CreatePod')) {
      created.push(h.admitted(c))
      h.send({ type: 'CREATE_DONE', rsKey: c.rsKey })
    }
  }
  h.take()
  assert.is(created.length, 3)
  assert.is(h.sync('default/web')!.expectations!.add, 3)
  // A change before every creation is seen: the sync waits (status only).
  h.pod(created[0])
  assert.equal(ofType(h.take(), 'CreatePod'), [])
  assert.is(h.sync('default/web')!.expectations!.add, 2)
  h.pod(created[1])
  h.pod(created[2])
  const after = h.take()
  assert.equal(ofType(after, 'CreatePod'), [])
  assert.equal(ofType(after, 'UpdateReplicaSetStatus').at(-1)!.status.replicas, 3)
  // Informer first, answers later: still no second round.
  const g = harness()
  g.rs(replicaSet('api', 1))
  const [c] = ofType(g.take(), 'CreatePod')
  g.pod(g.admitted(c))
  assert.equal(ofType(g.take(), 'CreatePod'), [])
  g.send({ type: 'CREATE_DONE', rsKey: 'default/api' })
  assert.equal(ofType(g.take(), 'CreatePod'), [])
})

/** A ReplicaSet of 3 running, ready pods, all observed: no writes pending. */
function steady(replicas = 3) {
  const h = harness()
  h.rs(replicaSet('web', replicas))
  const pods = Array.from({ length: replicas }, (_, i) => pod(`web-${i}`, 'web', { nodeName: `n${i}`, readySince: T0 - 60_000 }))
  for (const c of ofType(h.take(), 'CreatePod')) h.send({ type: 'CREATE_DONE', rsKey: c.rsKey })
  while (ofType(h.commands, 'CreatePod').length > 0) for (const c of ofType(h.take(), 'CreatePod')) h.send({ type: 'CREATE_DONE', rsKey: c.rsKey })
  for (const p of pods) h.pod(p)
  h.take()
  return { h, pods }
}

test('a pod evicted (deletionTimestamp set): one replacement at once, cause = the eviction', () => {
  const { h, pods } = steady()
  const evicted: Pod = { ...pods[1], metadata: { ...pods[1].metadata, deletionTimestamp: iso(T0), deletionGracePeriodSeconds: 30 } }
  const rev = h.pod(evicted)
  const cmds = h.take()
  const creates = ofType(cmds, 'CreatePod')
  assert.is(creates.length, 1)
  assert.is(creates[0].cause, rev)
  assert.equal(ofType(cmds, 'UpdateReplicaSetStatus'), [])
  h.send({ type: 'CREATE_DONE', rsKey: 'default/web' })
  assert.equal(ofType(h.take(), 'UpdateReplicaSetStatus').map((c) => [c.status, c.cause]), [
    [{ replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 }, rev],
  ])
  // Its removal later changes nothing more.
  h.removePod(evicted)
  assert.equal(ofType(h.take(), 'CreatePod'), [])
  assert.is(h.tallyDrift('default/web'), '')
})

test('cause: the eviction, not a later status update of another pod in the same tick', () => {
  const { h, pods } = steady()
  const rev = h.nextRev()
  h.post({ type: 'POD_UPSERTED', pod: { ...pods[0], metadata: { ...pods[0].metadata, deletionTimestamp: iso(T0) } }, rev })
  h.post({ type: 'POD_UPSERTED', pod: { ...pods[1], status: { ...pods[1].status, podIP: '10.0.0.9' } }, rev: h.nextRev() })
  h.clock.advance(0)
  assert.equal(ofType(h.take(), 'CreatePod').map((c) => c.cause), [rev])
})

test('a pod that failed, or vanished, is replaced too', () => {
  const { h, pods } = steady()
  const rev = h.pod({ ...pods[0], status: { ...pods[0].status, phase: 'Failed' } })
  assert.equal(ofType(h.take(), 'CreatePod').map((c) => c.cause), [rev])
  const g = steady().h
  const gone = g.removePod(pod('web-2', 'web', { nodeName: 'n2', readySince: T0 - 60_000 }))
  assert.equal(ofType(g.take(), 'CreatePod').map((c) => c.cause), [gone])
})

test('scale down 3 → 1: the two lowest-ranked pods are deleted (unassigned, then not ready), cause = the change', () => {
  const h = harness()
  h.rs(replicaSet('web', 3))
  for (let i = 0; i < 2; i++) for (const c of ofType(h.take(), 'CreatePod')) h.send({ type: 'CREATE_DONE', rsKey: c.rsKey })
  const ready = pod('web-ready', 'web', { nodeName: 'n1', readySince: T0 - 60_000, created: T0 - 120_000 })
  const notReady = pod('web-notready', 'web', { nodeName: 'n2', created: T0 - 120_000 })
  const unassigned = pod('web-pending', 'web', { created: T0 - 120_000 })
  for (const p of [ready, notReady, unassigned]) h.pod(p)
  h.take()
  const rev = h.rs(replicaSet('web', 1, { generation: 2 }))
  const cmds = h.take()
  assert.equal(cmds, [
    { type: 'DeletePod', namespace: 'default', name: 'web-pending', uid: 'uid-web-pending', rsKey: 'default/web', cause: rev },
    { type: 'DeletePod', namespace: 'default', name: 'web-notready', uid: 'uid-web-notready', rsKey: 'default/web', cause: rev },
  ])
  assert.equal(h.sync('default/web')!.expectations!.del, ['default/web-pending', 'default/web-notready'])
  h.send({ type: 'DELETE_DONE', rsKey: 'default/web', podKey: 'default/web-pending' })
  h.send({ type: 'DELETE_DONE', rsKey: 'default/web', podKey: 'default/web-notready' })
  assert.equal(ofType(h.take(), 'UpdateReplicaSetStatus').map((c) => c.status), [{ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 1, availableReplicas: 1, observedGeneration: 2 }])
  // The informer shows them terminating: expectations met, no more deletes, status 1.
  h.pod({ ...unassigned, metadata: { ...unassigned.metadata, deletionTimestamp: iso(T0), deletionGracePeriodSeconds: 0 } })
  h.removePod(notReady)
  const after = h.take()
  assert.equal(ofType(after, 'DeletePod'), [])
  assert.equal(ofType(after, 'UpdateReplicaSetStatus').at(-1)!.status.replicas, 1)
  assert.equal(h.sync('default/web')!.expectations!.del, [])
  assert.is(h.tallyDrift('default/web'), '')
})

test('ranking for deletion follows ActivePodsWithRanks', () => {
  const now = T0
  const cases: [string, Pod, Pod][] = [
    ['unassigned < assigned', pod('a', 'web', {}), pod('b', 'web', { nodeName: 'n1' })],
    ['Pending < Unknown', pod('a', 'web', { nodeName: 'n1', phase: 'Pending' }), pod('b', 'web', { nodeName: 'n1', phase: 'Unknown' })],
    ['Unknown < Running', pod('a', 'web', { nodeName: 'n1', phase: 'Unknown' }), pod('b', 'web', { nodeName: 'n1', phase: 'Running' })],
    ['not ready < ready', pod('a', 'web', { nodeName: 'n1' }), pod('b', 'web', { nodeName: 'n1', readySince: now - 1000 })],
    [
      'ready for less time (log scale) < more',
      pod('a', 'web', { nodeName: 'n1', readySince: now - 1000 }),
      pod('b', 'web', { nodeName: 'n1', readySince: now - 3_600_000 }),
    ],
    ['more restarts < fewer', pod('a', 'web', { nodeName: 'n1', restarts: 5 }), pod('b', 'web', { nodeName: 'n1', restarts: 1 })],
    ['newer < older', pod('a', 'web', { nodeName: 'n1', created: now - 1000 }), pod('b', 'web', { nodeName: 'n1', created: now - 3_600_000 })],
  ]
  for (const [what, first, second] of cases) {
    assert.ok(compareForDeletion(first, second, now) < 0, what)
    assert.ok(compareForDeletion(second, first, now) > 0, what)
  }
  const cheap = pod('a', 'web', { nodeName: 'n1' })
  cheap.metadata!.annotations = { 'controller.kubernetes.io/pod-deletion-cost': '-10' }
  assert.ok(compareForDeletion(cheap, pod('b', 'web', { nodeName: 'n1' }), now) < 0, 'lower deletion cost first')
})

test('a failed create: ReplicaFailure condition, retried after a backoff that doubles, then cleared', () => {
  const h = harness({ retryInitialMs: 1_000 })
  const rev = h.rs(replicaSet('web', 1))
  assert.is(ofType(h.take(), 'CreatePod').length, 1)
  h.send({ type: 'CREATE_FAILED', rsKey: 'default/web', reason: 'pods "web-" is forbidden: quota exceeded' })
  const [status] = ofType(h.take(), 'UpdateReplicaSetStatus')
  assert.equal(status.status.conditions, [
    { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-" is forbidden: quota exceeded', lastTransitionTime: iso(T0) },
  ])
  assert.is(h.sync('default/web')!.expectations!.add, 0) // the failed pod is not expected
  h.clock.advance(999)
  assert.equal(h.take(), [])
  h.clock.advance(1)
  const retry = ofType(h.take(), 'CreatePod')
  assert.equal(retry.map((c) => c.cause), [rev])
  h.send({ type: 'CREATE_FAILED', rsKey: 'default/web', reason: 'quota exceeded' })
  h.take()
  h.clock.advance(1_999)
  assert.equal(h.take(), [])
  h.clock.advance(1)
  const [again] = ofType(h.take(), 'CreatePod')
  h.send({ type: 'CREATE_DONE', rsKey: 'default/web' })
  const cleared = ofType(h.take(), 'UpdateReplicaSetStatus')
  assert.equal(cleared.map((c) => c.status), [{ replicas: 0, observedGeneration: 1 }])
  h.pod(h.admitted(again))
  assert.equal(ofType(h.take(), 'CreatePod'), [])
  assert.is(h.sync('default/web')!.failures, 0)
  assert.equal([retryDelay(1, { retryInitialMs: 5, retryMaxMs: 1e6 }), retryDelay(3, { retryInitialMs: 5, retryMaxMs: 1e6 }), retryDelay(40, { retryInitialMs: 5, retryMaxMs: 1e6 })], [5, 20, 1e6])
})

test('slow start stops at a failed batch; what was not attempted is not expected', () => {
  const h = harness({ retryInitialMs: 1_000 })
  h.rs(replicaSet('web', 5))
  const a = ofType(h.take(), 'CreatePod')
  h.send({ type: 'CREATE_DONE', rsKey: 'default/web' })
  const b = ofType(h.take(), 'CreatePod')
  assert.is(b.length, 2)
  h.send({ type: 'CREATE_DONE', rsKey: 'default/web' })
  h.send({ type: 'CREATE_FAILED', rsKey: 'default/web', reason: 'boom' })
  assert.equal(ofType(h.take(), 'CreatePod'), []) // the batch of 2 remaining is skipped
  assert.is(h.sync('default/web')!.expectations!.add, 2)
  h.pod(h.admitted(a[0]))
  assert.equal(ofType(h.take(), 'CreatePod'), []) // one creation still unseen
  // The last one seen: as in Kubernetes an informer event syncs at once (the backoff only delays
  // the requeue of the failed sync): a new slow start for the 3 missing.
  h.pod(h.admitted(b[0]))
  assert.is(ofType(h.take(), 'CreatePod').length, 1)
  h.send({ type: 'CREATE_DONE', rsKey: 'default/web' })
  assert.is(ofType(h.take(), 'CreatePod').length, 2)
})

test('pods of other ReplicaSets, other namespaces and orphans are ignored (no adoption)', () => {
  const a = harness()
  a.rs(replicaSet('web', 2))
  a.rs(replicaSet('api', 1))
  a.rs(replicaSet('web', 5, { namespace: 'prod', uid: 'uid-prod-web' }))
  // Settle every slow start so that only what the foreign pods cause shows up.
  for (let i = 0; i < 5; i++) for (const c of ofType(a.take(), 'CreatePod')) a.send({ type: 'CREATE_DONE', rsKey: c.rsKey })
  a.take()
  const before = a.sync('default/web')!.expectations!.add
  const foreign = [
    pod('api-1', 'api'),
    pod('prod-web-1', 'web', { namespace: 'prod', owner: { name: 'web', uid: 'uid-prod-web' } }),
    pod('orphan-1', 'web', { owner: null }),
    pod('orphan-2', 'web', { owner: null }),
  ]
  for (const p of foreign) a.pod(p)
  assert.is(a.sync('default/web')!.expectations!.add, before) // none counted as its creation
  assert.equal(ofType(a.take(), 'DeletePod'), [])
  // Expectations aside (they expire), default/web still needs its 2 pods: orphans are not adopted.
  a.clock.advance(5 * 60_000)
  const creates = ofType(a.take(), 'CreatePod')
  // default/api has its pod; prod/web counts only its own one.
  assert.equal([...new Set(creates.map((c) => c.rsKey))].sort(), ['default/web', 'prod/web'])
  assert.equal(creates.filter((c) => c.rsKey === 'default/web').length, 1) // a slow start of 2: 1 first
})

test('status: replicas, fullyLabeled, ready, available after minReadySeconds (re-synced when the first becomes available)', () => {
  const h = harness()
  h.rs(replicaSet('web', 3, { minReadySeconds: 10 }))
  for (let i = 0; i < 2; i++) for (const c of ofType(h.take(), 'CreatePod')) h.send({ type: 'CREATE_DONE', rsKey: c.rsKey })
  h.take()
  h.pod(pod('web-a', 'web', { nodeName: 'n1', readySince: T0 - 60_000 }))
  h.pod(pod('web-b', 'web', { nodeName: 'n1', readySince: T0 - 2_000, labels: { app: 'web', extra: 'x' } }))
  h.pod(pod('web-c', 'web', { nodeName: 'n1', labels: { other: 'x' } }))
  const statuses = ofType(h.take(), 'UpdateReplicaSetStatus')
  assert.equal(statuses.at(-1)!.status, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 1 })
  // The status comes back through the informer: nothing new is sent.
  h.rs({ ...replicaSet('web', 3, { minReadySeconds: 10 }), status: statuses.at(-1)!.status })
  assert.equal(h.take(), [])
  h.clock.advance(7_999)
  assert.equal(h.take(), [])
  h.clock.advance(2) // web-b has been ready for more than 10 s
  assert.equal(ofType(h.take(), 'UpdateReplicaSetStatus').map((c) => c.status.availableReplicas), [2])
  assert.is(h.tallyDrift('default/web'), '')
})

test('ReplicaSet deleted: its pods are deleted (garbage collection), other pods kept, state forgotten', () => {
  const { h, pods } = steady(2)
  const other = pod('api-1', 'api')
  h.rs(replicaSet('api', 1))
  h.pod(other)
  h.take()
  const rev = h.nextRev()
  h.send({ type: 'RS_REMOVED', key: 'default/web', rev })
  const deletes = ofType(h.take(), 'DeletePod')
  assert.equal(deletes.map((c) => [c.name, c.uid, c.cause]).sort(), [['web-0', 'uid-web-0', rev], ['web-1', 'uid-web-1', rev]])
  for (const c of deletes) h.send({ type: 'DELETE_DONE', rsKey: c.rsKey, podKey: `default/${c.name}` })
  assert.equal(h.take(), [])
  for (const p of pods) h.removePod(p)
  assert.equal(h.take(), [])
  assert.is(h.sync('default/web'), undefined)
  assert.ok(h.sync('default/api'))
})

test('a namesake replacing a ReplicaSet: the old pods are collected, the new one creates its own', () => {
  const { h } = steady(1)
  h.rs(replicaSet('web', 1, { uid: 'uid-web-2' }))
  const cmds = h.take()
  assert.equal(ofType(cmds, 'DeletePod').map((c) => c.uid), ['uid-web-0'])
  assert.equal(ofType(cmds, 'CreatePod').map((c) => c.pod.metadata!.ownerReferences![0].uid), ['uid-web-2'])
})

test('a failed delete: FailedDelete condition and a retry; a pod already gone is not a failure', () => {
  const { h } = steady(2)
  h.rs(replicaSet('web', 0, { generation: 2 }))
  const deletes = ofType(h.take(), 'DeletePod')
  assert.is(deletes.length, 2)
  h.send({ type: 'DELETE_FAILED', rsKey: 'default/web', podKey: 'default/web-0', reason: 'not found', notFound: true })
  h.send({ type: 'DELETE_FAILED', rsKey: 'default/web', podKey: 'default/web-1', reason: 'etcd down', notFound: false })
  const [status] = ofType(h.take(), 'UpdateReplicaSetStatus')
  assert.is(status.status.conditions![0].reason, 'FailedDelete')
  h.clock.advance(5)
  // Both are still listed (the informer never showed them go): both are deleted again.
  assert.is(ofType(h.take(), 'DeletePod').length, 2)
})

test('expectations expire after 5 minutes when the informer never shows the creations', () => {
  const h = harness()
  const rev = h.rs(replicaSet('web', 1))
  h.take()
  h.send({ type: 'CREATE_DONE', rsKey: 'default/web' })
  h.take()
  h.clock.advance(5 * 60_000 - 1)
  assert.equal(h.take(), [])
  h.clock.advance(1)
  assert.equal(ofType(h.take(), 'CreatePod').map((c: CreatePod) => c.cause), [rev])
})

test('a refused status write is retried with backoff', () => {
  const h = harness({ retryInitialMs: 100 })
  h.rs(replicaSet('web', 0))
  const [first] = ofType(h.take(), 'UpdateReplicaSetStatus')
  assert.equal(first.status, { replicas: 0, observedGeneration: 1 })
  h.send({ type: 'STATUS_FAILED', rsKey: 'default/web', reason: 'conflict' })
  assert.equal(h.take(), [])
  h.clock.advance(100)
  assert.equal(ofType(h.take(), 'UpdateReplicaSetStatus').map((c) => c.status), [first.status])
})

test('a burst of changes in one tick is one sync', () => {
  const { h, pods } = steady(3)
  for (const p of pods) h.post({ type: 'POD_UPSERTED', pod: { ...p, status: { ...p.status, phase: 'Failed' } }, rev: h.nextRev() })
  assert.equal(h.take(), [])
  h.clock.advance(0)
  const creates = ofType(h.take(), 'CreatePod')
  assert.is(creates.length, 1) // one sync: a slow start of 3 begins with 1
  assert.is(h.sync('default/web')!.expectations!.add, 3)
})

test.run()
