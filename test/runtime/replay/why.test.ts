/** `kstate why`: the causal chain behind an object's state, over a recorded node failure. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { logSubject, type LogEvent, type Recorded } from '../../../events/index.js'
import { memoryLogReader } from '../../../runtime/replay/log-reader.js'
import { explain } from '../../../runtime/replay/why.js'

const podSub = (n: string) => logSubject('pods', 'default', n)
const nodeSub = (n: string) => logSubject('nodes', undefined, n)
const pod = (name: string) => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs', controller: true }] },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
})
const ready = (status: string, reason?: string) => ({ conditions: [{ type: 'Ready', status, ...(reason ? { reason } : {}) }] })

/** A node failure as the controllers record it: each `cause` set the way their hosts set it. */
const HISTORY: [number, string, Omit<LogEvent, 'v' | 'at'>][] = [
  [1, nodeSub('node-2'), { type: 'NodeRegistered', by: 'system:node:node-2', data: { object: { metadata: { name: 'node-2' } } } }],
  [2, nodeSub('node-3'), { type: 'NodeRegistered', by: 'system:node:node-3', data: { object: { metadata: { name: 'node-3' } } } }],
  [3, logSubject('replicasets', 'default', 'web'), { type: 'ReplicaSetCreated', by: 'admin', data: { object: { metadata: { name: 'web' }, spec: { replicas: 1, selector: {}, template: {} } } } }],
  [4, podSub('web-a'), { type: 'PodCreated', by: 'system:replicaset-controller', cause: 3, data: { object: pod('web-a') } }],
  [5, podSub('web-a'), { type: 'PodBound', by: 'system:kube-scheduler', cause: 4, data: { nodeName: 'node-2' } }],
  [6, podSub('web-a'), { type: 'PodStatusUpdated', by: 'system:node:node-2', cause: 5, data: { status: { phase: 'Running', ...ready('True') } } }],
  [7, nodeSub('node-2'), { type: 'NodeStatusUpdated', by: 'system:node:node-2', data: { status: ready('True', 'KubeletReady') } }],
  [8, nodeSub('node-3'), { type: 'NodeStatusUpdated', by: 'system:node:node-3', data: { status: ready('True', 'KubeletReady') } }],
  [9, nodeSub('node-2'), { type: 'NodeConditionChanged', by: 'system:node-controller', cause: 7, data: { conditions: [{ type: 'Ready', status: 'Unknown' }], reason: 'NodeStatusUnknown' } }],
  [10, nodeSub('node-2'), { type: 'NodeTainted', by: 'system:node-controller', cause: 9, data: { taint: { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' } } }],
  [11, podSub('web-a'), { type: 'PodEvicted', by: 'system:taint-eviction-controller', cause: 10, data: { deletionTimestamp: 'x', deletionGracePeriodSeconds: 30, reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' } }],
  [12, podSub('web-b'), { type: 'PodCreated', by: 'system:replicaset-controller', cause: 11, data: { object: pod('web-b') } }],
  [13, podSub('web-b'), { type: 'PodBound', by: 'system:kube-scheduler', cause: 12, data: { nodeName: 'node-3' } }],
  [14, podSub('web-b'), { type: 'PodStatusUpdated', by: 'system:node:node-3', cause: 13, data: { status: { phase: 'Pending' } } }],
  [15, podSub('web-b'), { type: 'PodStatusUpdated', by: 'system:node:node-3', cause: 13, data: { status: { phase: 'Running', ...ready('True') } } }],
  [16, podSub('web-a'), { type: 'PodDeleted', by: 'system:node:node-2', cause: 11, data: {} }],
  [17, nodeSub('node-3'), { type: 'NodeStatusUpdated', by: 'system:node:node-3', data: { status: ready('True', 'KubeletReady') } }],
  [18, nodeSub('node-3'), { type: 'NodeStatusUpdated', by: 'system:node:node-3', data: { status: ready('True', 'KubeletReady') } }],
]
const records: Recorded<LogEvent>[] = HISTORY.map(([rev, subject, e]) => ({ rev, subject, event: { v: 1, at: 1_000 * rev, ...e } as LogEvent }))
const reader = memoryLogReader(records)

test('a replacement pod is explained through the eviction of the pod it replaced, back to the user\'s request', async () => {
  const w = (await explain(reader, { resource: 'pods', namespace: 'default', name: 'web-b' }, 18))!
  assert.is(w.object, 'pod/default/web-b')
  assert.ok(w.exists)
  assert.equal(
    w.steps.map((s) => `${s.rev} ${s.role} ${s.by} ${s.type} ${s.object}: ${s.reason}`),
    [
      '3 cause admin ReplicaSetCreated replicaset/default/web: created (replicas 1)',
      '4 cause system:replicaset-controller PodCreated pod/default/web-a: created by ReplicaSet web',
      '5 cause system:kube-scheduler PodBound pod/default/web-a: scheduled on node-2',
      '7 cause system:node:node-2 NodeStatusUpdated node/node-2: Ready=True (KubeletReady)',
      '9 cause system:node-controller NodeConditionChanged node/node-2: Ready=Unknown (NodeStatusUnknown)',
      '10 cause system:node-controller NodeTainted node/node-2: tainted node.kubernetes.io/unreachable:NoExecute',
      '11 cause system:taint-eviction-controller PodEvicted pod/default/web-a: evicted (DeletionByTaintManager): Taint manager: deleting due to NoExecute taint',
      '12 object system:replicaset-controller PodCreated pod/default/web-b: created by ReplicaSet web',
      '13 object system:kube-scheduler PodBound pod/default/web-b: scheduled on node-3',
      '14 object system:node:node-3 PodStatusUpdated pod/default/web-b: Pending',
      '15 object system:node:node-3 PodStatusUpdated pod/default/web-b: Running, Ready=True',
    ],
  )
  assert.is(w.steps.find((s) => s.rev === 11)!.cause, 10)
})

test('asked at an earlier revision, the chain stops there; a deleted object still explains itself', async () => {
  const early = (await explain(reader, { resource: 'pods', namespace: 'default', name: 'web-a' }, 6))!
  assert.equal(early.steps.map((s) => s.rev), [3, 4, 5, 6])
  const gone = (await explain(reader, { resource: 'pods', namespace: 'default', name: 'web-a' }, 18))!
  assert.not.ok(gone.exists)
  assert.equal(gone.steps.filter((s) => s.role === 'object').map((s) => s.type), ['PodCreated', 'PodBound', 'PodStatusUpdated', 'PodEvicted', 'PodDeleted'])
})

test('status reports that say the same thing fold into the first; an unknown object has no answer', async () => {
  const n = (await explain(reader, { resource: 'nodes', name: 'node-3' }, 18))!
  assert.equal(n.steps.map((s) => [s.rev, s.folded ?? 0]), [[2, 0], [8, 2]])
  assert.is(await explain(reader, { resource: 'pods', namespace: 'default', name: 'nope' }, 18), undefined)
})

test.run()
