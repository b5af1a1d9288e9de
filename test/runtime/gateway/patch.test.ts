/**
 * PATCH as kube-apiserver applies it: `kubectl apply` and `kubectl patch` send strategic merge
 * patches, which merge lists by key instead of replacing them; `--type json` sends RFC 6902 ops.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import { applyPatch } from '../../../runtime/gateway/patch.js'
import { HttpError } from '../../../runtime/gateway/http-error.js'

const SMP = 'application/strategic-merge-patch+json'
const pod = (): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
  spec: {
    containers: [
      { name: 'app', image: 'nginx:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
      { name: 'sidecar', image: 'envoy' },
    ],
    tolerations: [{ key: 'x', operator: 'Exists' }],
  },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] },
})
const status = (e: unknown) => (e as HttpError).status

test('strategic merge: containers merge by name and env by name; other fields kept', () => {
  const before = pod()
  const out = applyPatch('pods', before, { spec: { containers: [{ name: 'app', image: 'nginx:2', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }] } }, SMP) as Pod
  assert.equal(out.spec!.containers.map((c) => c.name), ['app', 'sidecar'])
  assert.is(out.spec!.containers[0].image, 'nginx:2')
  assert.equal(out.spec!.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }])
  assert.equal(out.metadata!.labels, { app: 'web', tier: 'front' })
  assert.is(before.spec!.containers[0].image, 'nginx:1', 'the stored object is not modified')
})

test('strategic merge: $patch delete removes one element, null removes a key, lists without a strategy are replaced', () => {
  const out = applyPatch('pods', pod(), {
    metadata: { labels: { tier: null } },
    spec: { containers: [{ name: 'sidecar', $patch: 'delete' }], tolerations: [{ key: 'y', operator: 'Exists' }] },
  }, SMP) as Pod
  assert.equal(out.spec!.containers.map((c) => c.name), ['app'])
  assert.equal(out.metadata!.labels, { app: 'web' })
  assert.equal(out.spec!.tolerations, [{ key: 'y', operator: 'Exists' }])
})

test('strategic merge: primitive sets are unions; $deleteFromPrimitiveList and $setElementOrder as kubectl apply sends them', () => {
  const out = applyPatch('pods', pod(), { metadata: { finalizers: ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] } }, SMP) as Pod
  assert.equal(out.metadata!.finalizers, ['a', 'c'])
  const ordered = applyPatch('pods', pod(), { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }], containers: [{ name: 'app', image: 'nginx:3' }] } }, SMP) as Pod
  assert.equal(ordered.spec!.containers.map((c) => `${c.name}:${c.image}`), ['sidecar:envoy', 'app:nginx:3'])
})

test('strategic merge: $patch replace on a list replaces it; status conditions merge by type', () => {
  const replaced = applyPatch('pods', pod(), { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'busybox' }] } }, SMP) as Pod
  assert.equal(replaced.spec!.containers, [{ name: 'only', image: 'busybox' }])
  const st = applyPatch('pods', pod(), { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NodeLost' }] } }, SMP) as Pod
  assert.equal(st.status!.conditions, [{ type: 'Ready', status: 'False', reason: 'NodeLost' }, { type: 'PodScheduled', status: 'True' }])
})

test('strategic merge: a ReplicaSet template merges like a pod spec', () => {
  const rs: ReplicaSet = {
    metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }] }] } } },
  }
  const out = applyPatch('replicasets', rs, { spec: { replicas: 3, template: { spec: { containers: [{ name: 'c', env: [{ name: 'B', value: '2' }] }] } } } }, SMP) as ReplicaSet
  assert.is(out.spec!.replicas, 3)
  assert.equal(out.spec!.template!.spec!.containers[0], { name: 'c', image: 'i', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] })
})

test('strategic merge: bad input is a 400 naming the place; nothing is changed', () => {
  const before = pod()
  for (const bad of [{ spec: { containers: [{ image: 'no-name' }] } }, { spec: { $patch: 'explode' } }, { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }]) {
    try {
      applyPatch('pods', before, bad, SMP)
      assert.unreachable(`accepted ${JSON.stringify(bad)}`)
    } catch (e) {
      assert.instance(e, HttpError)
      assert.is(status(e).code, 400)
      assert.match(status(e).message!, /spec\.containers|spec|finalizers/)
    }
  }
  assert.equal(before, pod())
})

test('merge patch replaces lists; JSON patch applies RFC 6902 operations; failures are 422', () => {
  const merged = applyPatch('pods', pod(), { spec: { containers: [{ name: 'x', image: 'y' }] } }, 'application/merge-patch+json') as Pod
  assert.equal(merged.spec!.containers, [{ name: 'x', image: 'y' }])
  const j = applyPatch('pods', pod(), [{ op: 'replace', path: '/spec/containers/0/image', value: 'nginx:9' }, { op: 'add', path: '/metadata/labels/new', value: 'v' }], 'application/json-patch+json; charset=utf-8') as Pod
  assert.is(j.spec!.containers[0].image, 'nginx:9')
  assert.is(j.metadata!.labels!.new, 'v')
  try {
    applyPatch('pods', pod(), [{ op: 'test', path: '/spec/containers/0/image', value: 'other' }], 'application/json-patch+json')
    assert.unreachable('a failed test op was accepted')
  } catch (e) {
    assert.is(status(e).code, 422)
  }
})

test('an unknown patch type is 415 listing the accepted ones (server-side apply is not implemented)', () => {
  try {
    applyPatch('pods', pod(), {}, 'application/apply-patch+yaml')
    assert.unreachable()
  } catch (e) {
    assert.is(status(e).code, 415)
    assert.is(status(e).reason, 'UnsupportedMediaType')
    assert.match(status(e).message!, 'application/strategic-merge-patch+json')
  }
})

test.run()
