/** The web page's cluster view model: node cards with Ready and taints, pods grouped by node, live from watch events. */
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ClusterView, compareNames, UNSCHEDULED } from '../../../runtime/ui/model/cluster.js'

let rv = 0
function node(name: string, ready?: 'True' | 'False' | 'Unknown', taints?: Taint[]): Node {
  return {
    metadata: { name, resourceVersion: String(++rv) },
    spec: taints ? { taints } : {},
    status: { conditions: ready ? [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready, reason: ready === 'Unknown' ? 'NodeStatusUnknown' : 'KubeletReady' }] : [] },
  }
}
function pod(name: string, nodeName?: string, phase = 'Running', extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    metadata: { name, namespace: 'default', resourceVersion: String(++rv), ...extra },
    spec: { containers: [{ name: 'c' }], ...(nodeName ? { nodeName } : {}) },
    status: { phase, containerStatuses: phase === 'Running' ? [{ name: 'c', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }] : [] },
  }
}

test('a node card shows its Ready status, reason and taints as kubectl describe names them', () => {
  const v = ClusterView.fromLists([node('n1', 'True'), node('n2', 'Unknown', [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'team', value: 'a', effect: 'NoSchedule' }]), node('n3')], [])
  assert.is(v.nodes.get('n1')!.ready, 'True')
  assert.equal(v.nodes.get('n2'), { name: 'n2', ready: 'Unknown', reason: 'NodeStatusUnknown', taints: ['node.kubernetes.io/unreachable:NoExecute', 'team=a:NoSchedule'], pressures: [], unschedulable: false })
  assert.is(v.nodes.get('n3')!.ready, 'Unknown', 'no Ready condition reads Unknown')
  assert.equal(v.counts().ready, { True: 1, False: 0, Unknown: 2 })
})

test('pods are grouped by node with kubectl STATUS; unscheduled pods get the first card', () => {
  const v = ClusterView.fromLists([node('node-10', 'True'), node('node-2', 'True')], [pod('b', 'node-2'), pod('a', 'node-2', 'Pending'), pod('c'), pod('d', 'node-10', 'Running', { deletionTimestamp: '2024-01-01T00:00:00Z' })])
  assert.equal(v.cards(), [UNSCHEDULED, 'node-2', 'node-10'])
  assert.equal(v.podsOf('node-2').map((p) => [p.name, p.status]), [['a', 'Pending'], ['b', 'Running']])
  assert.equal(v.podsOf('node-10').map((p) => p.status), ['Terminating'])
  assert.equal(v.podsOf(UNSCHEDULED).map((p) => p.name), ['c'])
  assert.equal(v.counts().statuses, { Running: 2, Pending: 1, Terminating: 1 })
  assert.equal(v.cards('10'), ['node-10'])
})

test('watch events move a pod between cards and bump only the versions of the cards they touch', () => {
  const v = ClusterView.fromLists([node('n1', 'True'), node('n2', 'True')], [pod('p')])
  const before = { n1: v.version('n1'), n2: v.version('n2'), un: v.version(UNSCHEDULED) }
  v.applyPod({ type: 'MODIFIED', object: pod('p', 'n1') })
  assert.equal(v.podsOf(UNSCHEDULED), [])
  assert.equal(v.podsOf('n1').map((p) => p.name), ['p'])
  assert.ok(v.version('n1') > before.n1 && v.version(UNSCHEDULED) > before.un)
  assert.is(v.version('n2'), before.n2, 'untouched card keeps its version')
  assert.equal(v.cards(), ['n1', 'n2'], 'the empty unscheduled card disappears')
  v.applyPod({ type: 'DELETED', object: pod('p', 'n1') })
  assert.is(v.pods.size, 0)
  assert.equal(v.podsOf('n1'), [])
})

test('a node going Unknown changes its card; DELETED removes it; the view tracks the highest resourceVersion', () => {
  const v = ClusterView.fromLists([node('n1', 'True')], [], 5)
  const ver = v.version('n1')
  const unknown = node('n1', 'Unknown', [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }])
  v.applyNode({ type: 'MODIFIED', object: unknown })
  assert.is(v.nodes.get('n1')!.ready, 'Unknown')
  assert.ok(v.version('n1') > ver)
  assert.is(v.rev, Number(unknown.metadata!.resourceVersion))
  v.applyNode({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9999' } } })
  assert.is(v.rev, 9999)
  assert.is(v.nodes.size, 1, 'a bookmark changes no object')
  v.applyNode({ type: 'DELETED', object: unknown })
  assert.equal(v.cards(), [])
})

test('pods bound to a node the view has not seen yet still get a card', () => {
  const v = ClusterView.fromLists([], [pod('p', 'ghost')])
  assert.equal(v.cards(), ['ghost'])
})

test('node names sort naturally', () => {
  assert.equal(['n-10', 'n-9', 'n-a', 'sim-node-00010', 'sim-node-00002'].sort(compareNames), ['n-9', 'n-10', 'n-a', 'sim-node-00002', 'sim-node-00010'])
})

test.run()
