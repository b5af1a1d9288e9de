import type { Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { logSubject, type LogEvent, type NodeEvent, type PodEvent, type ReplicaSetEvent } from '../../../events/index.js'
import { ClusterStore } from '../../../runtime/projections/cluster-store.js'
import { reduceNode, reducePod, reduceReplicaSet } from '../../../runtime/projections/reduce.js'
import type { ObjectChange } from '../../../runtime/projections/types.js'

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Pending' } }
const ev = (e: Omit<LogEvent, 'v' | 'at' | 'by'>): PodEvent => ({ v: 1, at: Date.UTC(2026, 0, 1), by: 'test', ...e }) as PodEvent

test('resourceVersion is the revision of the last event applied', () => {
  const a = reducePod(undefined, ev({ type: 'PodCreated', data: { object: pod } }), 3)!
  assert.is(a.metadata!.resourceVersion, '3')
  const b = reducePod(a, ev({ type: 'PodBound', data: { nodeName: 'node-1' } }), 9)!
  assert.is(b.metadata!.resourceVersion, '9')
  assert.is(b.spec!.nodeName, 'node-1')
  assert.equal(b.status!.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True')
})

test('reducers never mutate their input', () => {
  const a = reducePod(undefined, ev({ type: 'PodCreated', data: { object: pod } }), 1)!
  const frozen = JSON.stringify(a)
  reducePod(a, ev({ type: 'PodStatusUpdated', data: { status: { phase: 'Running' } } }), 2)
  reducePod(a, ev({ type: 'PodDeletionRequested', data: { deletionTimestamp: 'T', deletionGracePeriodSeconds: 5 } }), 3)
  assert.is(JSON.stringify(a), frozen)
})

test('deletion removes the object but the subject keeps its revision for compare-and-set', () => {
  const store = new ClusterStore()
  const subject = logSubject('pods', 'default', 'p')
  store.apply({ rev: 1, subject, event: ev({ type: 'PodCreated', data: { object: pod } }) })
  store.apply({ rev: 2, subject, event: ev({ type: 'PodDeleted', data: {} }) })
  assert.is(store.pods.get('default/p'), undefined)
  assert.is(store.subjectRev(subject), 2)
  assert.is(store.rev, 2)
})

test('an informer subscriber gets the initial list, then live changes, none missed', () => {
  const store = new ClusterStore()
  const subject = (n: string) => logSubject('pods', 'default', n)
  store.apply({ rev: 1, subject: subject('a'), event: ev({ type: 'PodCreated', data: { object: { ...pod, metadata: { ...pod.metadata, name: 'a' } } } }) })
  const seen: ObjectChange<Pod>[] = []
  const sub = store.pods.changes$.subscribe((c) => seen.push(c))
  store.apply({ rev: 2, subject: subject('b'), event: ev({ type: 'PodCreated', data: { object: { ...pod, metadata: { ...pod.metadata, name: 'b' } } } }) })
  store.apply({ rev: 3, subject: subject('a'), event: ev({ type: 'PodDeleted', data: {} }) })
  sub.unsubscribe()
  assert.equal(seen.map((c) => [c.type, c.object.metadata!.name, c.rev]), [
    ['ADDED', 'a', 1],
    ['ADDED', 'b', 2],
    ['DELETED', 'a', 3],
  ])
})

test('redelivered events (rev ≤ applied) are ignored', () => {
  const store = new ClusterStore()
  const subject = logSubject('pods', 'default', 'p')
  store.apply({ rev: 1, subject, event: ev({ type: 'PodCreated', data: { object: pod } }) })
  store.apply({ rev: 2, subject, event: ev({ type: 'PodStatusUpdated', data: { status: { phase: 'Running' } } }) })
  store.apply({ rev: 1, subject, event: ev({ type: 'PodCreated', data: { object: pod } }) })
  assert.is(store.pods.get('default/p')!.status!.phase, 'Running')
})

test('waitFor resolves once the revision is applied, false on timeout', async () => {
  const store = new ClusterStore()
  const p = store.waitFor(1, 1000)
  store.apply({ rev: 1, subject: logSubject('pods', 'default', 'p'), event: ev({ type: 'PodCreated', data: { object: pod } }) })
  assert.is(await p, true)
  assert.is(await store.waitFor(5, 10), false)
})

test('PodEvicted sets deletionTimestamp and the DisruptionTarget condition; with grace 0 the pod is gone', () => {
  const a = reducePod(undefined, ev({ type: 'PodCreated', data: { object: pod } }), 1)!
  const evicted = reducePod(a, ev({ type: 'PodEvicted', data: { deletionTimestamp: 'T', deletionGracePeriodSeconds: 30, reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' } }), 2)!
  assert.is(evicted.metadata!.deletionTimestamp, 'T')
  const dt = evicted.status!.conditions!.find((c) => c.type === 'DisruptionTarget')!
  assert.equal([dt.status, dt.reason], ['True', 'DeletionByTaintManager'])
  assert.is(reducePod(a, ev({ type: 'PodEvicted', data: { deletionTimestamp: 'T', deletionGracePeriodSeconds: 0, reason: 'r', message: 'm' } }), 3), undefined)
})

test('node conditions merge by type; taints are added, swapped and removed', () => {
  const nev = (e: object) => ({ v: 1, at: 0, by: 't', ...e }) as NodeEvent
  let node = reduceNode(undefined, nev({ type: 'NodeRegistered', data: { object: { metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'False' }] } } } }), 1)!
  node = reduceNode(node, nev({ type: 'NodeConditionChanged', data: { reason: 'NodeStatusUnknown', conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } }), 2)!
  assert.equal(node.status!.conditions!.map((c) => `${c.type}=${c.status}`), ['Ready=Unknown', 'DiskPressure=False'])
  node = reduceNode(node, nev({ type: 'NodeTainted', data: { taint: { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' } } }), 3)!
  node = reduceNode(node, nev({ type: 'NodeTainted', data: { taint: { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, replaced: { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' } } }), 4)!
  assert.equal(node.spec!.taints!.map((t) => t.key), ['node.kubernetes.io/unreachable'])
  node = reduceNode(node, nev({ type: 'NodeUntainted', data: { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' } }), 5)!
  assert.is(node.spec!.taints, undefined)
  assert.is(node.metadata!.resourceVersion, '5')
})

test('ReplicaSetScaled changes spec.replicas and bumps generation', () => {
  const rev = (e: object) => ({ v: 1, at: 0, by: 't', ...e }) as ReplicaSetEvent
  let rs = reduceReplicaSet(undefined, rev({ type: 'ReplicaSetCreated', data: { object: { metadata: { name: 'r', generation: 1 }, spec: { replicas: 2, selector: {}, template: {} } } } }), 1)!
  rs = reduceReplicaSet(rs, rev({ type: 'ReplicaSetScaled', data: { replicas: 5 } }), 2)!
  assert.equal([rs.spec!.replicas, rs.metadata!.generation], [5, 2])
  rs = reduceReplicaSet(rs, rev({ type: 'ReplicaSetStatusUpdated', data: { status: { replicas: 5, readyReplicas: 4 } } }), 3)!
  assert.is(rs.status!.readyReplicas, 4)
  assert.is(reduceReplicaSet(rs, rev({ type: 'ReplicaSetDeleted', data: {} }), 4), undefined)
})

test.run()
