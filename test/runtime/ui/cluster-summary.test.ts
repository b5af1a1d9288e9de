/** `GET /kstate/v1/clusterview`'s body: every node and pod as its card shows it, from the projection. */
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { ClusterStore } from '../../../runtime/projections/cluster-store.js'
import { clusterSummary } from '../../../runtime/ui/cluster-summary.js'
import { ClusterView } from '../../../runtime/ui/model/cluster.js'

const node: Node = { metadata: { name: 'n1' }, spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }, status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } }
const pod = (phase: string): Pod => ({ metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] }, status: { phase } })
const storeOf = (nodes: Node[], pods: Pod[], rev: number) => ({ rev, nodes: { list: () => nodes }, pods: { list: () => pods } }) as unknown as ClusterStore

test('the summary carries what the cards show, at the store revision', () => {
  const s = clusterSummary(storeOf([node], [pod('Pending')], 42))
  assert.equal(s.metadata, { resourceVersion: '42' })
  assert.equal(s.nodes, [{ name: 'n1', ready: 'Unknown', reason: 'NodeStatusUnknown', taints: ['node.kubernetes.io/unreachable:NoExecute'], pressures: [], unschedulable: false }])
  assert.equal(s.pods, [{ key: 'default/p', name: 'p', namespace: 'default', node: 'n1', status: 'Pending' }])
  const v = ClusterView.fromSummary(JSON.parse(JSON.stringify(s)))
  assert.equal(v.cards(), ['n1'])
  assert.is(v.rev, 42)
  assert.is(v.podsOf('n1')[0].status, 'Pending')
})

test('views are kept per object: a replaced object gets a new view, an unchanged one the same', () => {
  const running = pod('Running')
  const first = clusterSummary(storeOf([node], [running], 1))
  const again = clusterSummary(storeOf([node], [running], 2))
  assert.ok(first.pods[0] === again.pods[0] && first.nodes[0] === again.nodes[0])
  const replaced = clusterSummary(storeOf([node], [{ ...running, metadata: { ...running.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }], 3))
  assert.is(replaced.pods[0].status, 'Terminating')
})

test.run()
