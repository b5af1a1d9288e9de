/** `kstate diff`: what changed between two revisions, with the field paths people read. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { diffClusters, diffObjects, formatChange } from '../../../runtime/replay/diff.js'

const lines = (a: unknown, b: unknown) => diffObjects(a, b).map(formatChange)

test('a scheduled pod: spec.nodeName from "" to the node', () => {
  assert.equal(lines({ spec: { containers: [{ name: 'c' }] } }, { spec: { containers: [{ name: 'c' }], nodeName: 'node-2' } }), ['spec.nodeName: "" → node-2'])
})

test('conditions are told apart by type: status.conditions[Ready].status: True → Unknown', () => {
  const before = { status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True', reason: 'KubeletReady' }] } }
  const after = { status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }, { type: 'MemoryPressure', status: 'False' }] } }
  assert.equal(lines(before, after), ['status.conditions[Ready].reason: KubeletReady → NodeStatusUnknown', 'status.conditions[Ready].status: True → Unknown'])
})

test('containers by name, taints by key:effect; items added or removed whole', () => {
  const a = { spec: { containers: [{ name: 'web', image: 'nginx:1' }], taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] } }
  const b = {
    spec: {
      containers: [{ name: 'web', image: 'nginx:2' }],
      taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }],
    },
  }
  assert.equal(lines(a, b), [
    'spec.containers[web].image: nginx:1 → nginx:2',
    'spec.taints[node.kubernetes.io/not-ready:NoExecute]: {"key":"node.kubernetes.io/not-ready","effect":"NoExecute"} → <none>',
    'spec.taints[node.kubernetes.io/unreachable:NoExecute]: <none> → {"key":"node.kubernetes.io/unreachable","effect":"NoExecute"}',
  ])
})

test('a map appearing is listed field by field; resourceVersion alone is no change', () => {
  assert.equal(lines({ metadata: { resourceVersion: '4' } }, { metadata: { resourceVersion: '9' }, status: { podIP: '10.0.0.7', phase: 'Running' } }), [
    'status.phase: "" → Running',
    'status.podIP: "" → 10.0.0.7',
  ])
  assert.equal(lines({ metadata: { resourceVersion: '4' } }, { metadata: { resourceVersion: '5' } }), [])
})

test('lists of scalars change whole; numbers and booleans print as JSON', () => {
  assert.equal(lines({ spec: { replicas: 3, args: ['a'] } }, { spec: { replicas: 5, args: ['a', 'b'], paused: true } }), [
    'spec.args: ["a"] → ["a","b"]',
    'spec.paused: <none> → true',
    'spec.replicas: 3 → 5',
  ])
})

test('cluster diff: added, changed (with resourceVersions), removed, in name order', () => {
  const pod = (name: string, rv: number, nodeName?: string) => ({ metadata: { name, resourceVersion: String(rv) }, spec: nodeName ? { nodeName } : {} })
  const a = new Map<string, unknown>([
    ['pod/default/a', pod('a', 3)],
    ['pod/default/gone', pod('gone', 2)],
    ['pod/default/same', pod('same', 1)],
  ])
  const b = new Map<string, unknown>([
    ['pod/default/a', pod('a', 9, 'node-3')],
    ['pod/default/new', pod('new', 8)],
    ['pod/default/same', a.get('pod/default/same')],
  ])
  const d = diffClusters(3, 9, a, b)
  assert.equal(d.added, [{ object: 'pod/default/new', rev: 8 }])
  assert.equal(d.removed, [{ object: 'pod/default/gone', rev: 2 }])
  assert.equal(d.changed, [{ object: 'pod/default/a', fromRev: 3, toRev: 9, changes: [{ path: 'spec.nodeName', to: 'node-3' }] }])
})

test.run()
