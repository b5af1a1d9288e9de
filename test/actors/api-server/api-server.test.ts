import type { Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor } from 'xstate'
import { apiServerMachine, type ApiServerCommand } from '../../../actors/api-server/api-server.js'
import { targetName, type WriteRequest } from '../../../actors/api-server/plan.js'
import type { ApiRequest } from '../../../events/index.js'

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0)
const demo = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'command-demo' }, spec: { containers: [{ name: 'c', image: 'debian', command: ['printenv'] }] } }

function server(readOnly = false, ready = true) {
  const actor = createActor(apiServerMachine, { input: { readOnly } })
  const out: ApiServerCommand[] = []
  actor.on('*', (c) => out.push(c as ApiServerCommand))
  actor.start()
  if (ready) actor.send({ type: 'LOG_CAUGHT_UP' })
  let id = 0
  const write = (request: ApiRequest, view: WriteRequest['view'] = { subjectRev: 0 }) => {
    actor.send({ type: 'WRITE', id: ++id, request, context: { user: 'admin', cause: 4 }, now: NOW, uid: 'uid-1', name: targetName(request, 'x7k2q'), view })
    return out.at(-1)!
  }
  return { actor, write }
}

const existing = (over: Partial<Pod> = {}): Pod =>
  ({ ...demo, metadata: { name: 'command-demo', namespace: 'default', uid: 'u0', resourceVersion: '12' }, spec: { ...demo.spec }, status: { phase: 'Pending' }, ...over }) as Pod

test('a valid create appends PodCreated with compare-and-set on the subject, uid, defaults and cause', () => {
  const { write } = server()
  const c = write({ verb: 'create', resource: 'pods', namespace: 'default', object: demo }, { subjectRev: 0 })
  assert.is(c.type, 'Append')
  if (c.type !== 'Append') return
  assert.is(c.subject, 'kstate.log.pods.default.command-demo')
  assert.is(c.expectedRev, 0)
  assert.is(c.code, 201)
  assert.is(c.event.type, 'PodCreated')
  assert.is(c.event.by, 'admin')
  assert.is(c.event.cause, 4)
  const pod = (c.event.data as { object: Pod }).object
  assert.is(pod.metadata!.uid, 'uid-1')
  assert.is(pod.metadata!.namespace, 'default')
  assert.is(pod.spec!.restartPolicy, 'Always')
  assert.is(pod.metadata!.creationTimestamp, '2026-11-23T12:00:00Z')
})

test('re-creating a deleted name expects the tombstone revision', () => {
  const { write } = server()
  const c = write({ verb: 'create', resource: 'pods', namespace: 'default', object: demo }, { subjectRev: 41 })
  assert.is(c.type === 'Append' && c.expectedRev, 41)
})

test('creating an existing object is 409 AlreadyExists, nothing appended', () => {
  const { write } = server()
  const c = write({ verb: 'create', resource: 'pods', namespace: 'default', object: demo }, { current: existing(), subjectRev: 12 })
  assert.is(c.type, 'Respond')
  assert.is(c.type === 'Respond' && !c.response.ok && c.response.status.reason, 'AlreadyExists')
  assert.is(c.type === 'Respond' && !c.response.ok && c.response.status.code, 409)
})

test('generateName gets the suffix the host supplied', () => {
  const { write } = server()
  const c = write({ verb: 'create', resource: 'pods', namespace: 'default', object: { ...demo, metadata: { generateName: 'web-' } } })
  assert.is(c.type === 'Append' && c.subject, 'kstate.log.pods.default.web-x7k2q')
})

test('an invalid pod is 422 with the field path, nothing appended', () => {
  const { write } = server()
  const c = write({ verb: 'create', resource: 'pods', namespace: 'default', object: { ...demo, spec: { containers: [{ name: 'c' }] } } })
  assert.is(c.type, 'Respond')
  if (c.type !== 'Respond' || c.response.ok) return assert.unreachable()
  assert.is(c.response.status.code, 422)
  assert.ok(c.response.status.details?.causes?.some((x) => x.field === 'spec.containers[0].image'))
})

test('an update with a stale resourceVersion is 409 Conflict', () => {
  const { write } = server()
  const c = write(
    { verb: 'update', resource: 'pods', namespace: 'default', name: 'command-demo', object: { ...demo, metadata: { name: 'command-demo', resourceVersion: '3', labels: { a: 'b' } } } },
    { current: existing(), subjectRev: 12 },
  )
  assert.is(c.type === 'Respond' && !c.response.ok && c.response.status.reason, 'Conflict')
})

test('an update with the current resourceVersion appends PodUpdated expecting it (a lost race is the client\'s 409)', () => {
  const { write } = server()
  const c = write(
    { verb: 'update', resource: 'pods', namespace: 'default', name: 'command-demo', object: { ...demo, metadata: { name: 'command-demo', resourceVersion: '12', labels: { a: 'b' } } } },
    { current: existing(), subjectRev: 12 },
  )
  assert.is(c.type, 'Append')
  if (c.type !== 'Append') return
  assert.is(c.event.type, 'PodUpdated')
  assert.is(c.expectedRev, 12)
  assert.is(c.userRev, true)
})

test('bind appends PodBound; binding an already bound pod is 409', () => {
  const { write } = server()
  const c = write({ verb: 'bind', resource: 'pods', namespace: 'default', name: 'command-demo', nodeName: 'node-2' }, { current: existing(), subjectRev: 12 })
  assert.is(c.type === 'Append' && c.event.type, 'PodBound')
  const bound = existing({ spec: { ...demo.spec, nodeName: 'node-1' } } as Partial<Pod>)
  const d = write({ verb: 'bind', resource: 'pods', namespace: 'default', name: 'command-demo', nodeName: 'node-2' }, { current: bound, subjectRev: 12 })
  assert.is(d.type === 'Respond' && !d.response.ok && d.response.status.code, 409)
})

test('delete: an unbound pod goes at once, a bound one gets deletionTimestamp = now + grace', () => {
  const { write } = server()
  const a = write({ verb: 'delete', resource: 'pods', namespace: 'default', name: 'command-demo' }, { current: existing(), subjectRev: 12 })
  assert.is(a.type === 'Append' && a.event.type, 'PodDeleted')
  const bound = existing({ spec: { ...demo.spec, nodeName: 'node-1', terminationGracePeriodSeconds: 30 } } as Partial<Pod>)
  const b = write({ verb: 'delete', resource: 'pods', namespace: 'default', name: 'command-demo' }, { current: bound, subjectRev: 12 })
  assert.is(b.type === 'Append' && b.event.type, 'PodDeletionRequested')
  assert.equal(b.type === 'Append' && b.event.data, { deletionTimestamp: '2026-11-23T12:00:30Z', deletionGracePeriodSeconds: 30 })
  const c = write({ verb: 'delete', resource: 'pods', namespace: 'default', name: 'command-demo', gracePeriodSeconds: 0 }, { current: bound, subjectRev: 12 })
  assert.is(c.type === 'Append' && c.event.type, 'PodDeleted')
})

test('missing objects are 404 for update, status, bind and delete', () => {
  const { write } = server()
  for (const r of [
    { verb: 'update', resource: 'pods', namespace: 'default', name: 'nope', object: demo },
    { verb: 'updateStatus', resource: 'pods', namespace: 'default', name: 'nope', status: {} },
    { verb: 'bind', resource: 'pods', namespace: 'default', name: 'nope', nodeName: 'n' },
    { verb: 'delete', resource: 'pods', namespace: 'default', name: 'nope' },
  ] as ApiRequest[]) {
    const c = write(r)
    assert.is(c.type === 'Respond' && !c.response.ok && c.response.status.code, 404, r.verb)
  }
})

test('while the log replays every write is 503; a read-only server answers 405', () => {
  const starting = server(false, false)
  const a = starting.write({ verb: 'create', resource: 'pods', namespace: 'default', object: demo })
  assert.is(a.type === 'Respond' && !a.response.ok && a.response.status.code, 503)
  const ro = server(true)
  assert.is(ro.actor.getSnapshot().value, 'readOnly')
  const b = ro.write({ verb: 'create', resource: 'pods', namespace: 'default', object: demo })
  assert.is(b.type === 'Respond' && !b.response.ok && b.response.status.code, 405)
})

test('an unchanged status is answered without appending', () => {
  const { write } = server()
  const c = write({ verb: 'updateStatus', resource: 'pods', namespace: 'default', name: 'command-demo', status: { phase: 'Pending' } }, { current: existing(), subjectRev: 12 })
  assert.is(c.type, 'Respond')
})

test('evict: a bound pod gets PodEvicted with its grace period; an already-deleting pod is left alone', () => {
  const { write } = server()
  const bound = existing({ spec: { ...demo.spec, nodeName: 'node-1', terminationGracePeriodSeconds: 30 } } as Partial<Pod>)
  const c = write({ verb: 'evict', resource: 'pods', namespace: 'default', name: 'command-demo', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' }, { current: bound, subjectRev: 12 })
  assert.is(c.type === 'Append' && c.event.type, 'PodEvicted')
  assert.equal(c.type === 'Append' && c.event.data, { deletionTimestamp: '2026-11-23T12:00:30Z', deletionGracePeriodSeconds: 30, reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' })
  const deleting = existing({ metadata: { ...existing().metadata, deletionTimestamp: 'x' } } as Partial<Pod>)
  assert.is(write({ verb: 'evict', resource: 'pods', namespace: 'default', name: 'command-demo', reason: 'r', message: 'm' }, { current: deleting, subjectRev: 12 }).type, 'Respond')
})

test('taint: add, swap in one event, remove; a no-op appends nothing', () => {
  const { write } = server()
  const node = (taints: object[]) => ({ metadata: { name: 'n1', resourceVersion: '7' }, spec: { taints } }) as never
  const notReady = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }
  const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-11-23T12:00:00Z' }
  const add = write({ verb: 'taint', resource: 'nodes', name: 'n1', add: unreachable }, { current: node([]), subjectRev: 7 })
  assert.is(add.type === 'Append' && add.event.type, 'NodeTainted')
  const swap = write({ verb: 'taint', resource: 'nodes', name: 'n1', add: unreachable, remove: notReady }, { current: node([notReady]), subjectRev: 7 })
  assert.equal(swap.type === 'Append' && swap.event.data, { taint: unreachable, replaced: notReady })
  const rm = write({ verb: 'taint', resource: 'nodes', name: 'n1', remove: notReady }, { current: node([notReady]), subjectRev: 7 })
  assert.is(rm.type === 'Append' && rm.event.type, 'NodeUntainted')
  assert.is(write({ verb: 'taint', resource: 'nodes', name: 'n1', remove: notReady }, { current: node([]), subjectRev: 7 }).type, 'Respond')
})

test('setNodeConditions appends NodeConditionChanged only when something changes', () => {
  const { write } = server()
  const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady' }
  const node = { metadata: { name: 'n1', resourceVersion: '7' }, status: { conditions: [ready] } } as never
  const unknown = { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }
  const c = write({ verb: 'setNodeConditions', resource: 'nodes', name: 'n1', conditions: [unknown], reason: 'NodeStatusUnknown' }, { current: node, subjectRev: 7 })
  assert.is(c.type === 'Append' && c.event.type, 'NodeConditionChanged')
  assert.is(write({ verb: 'setNodeConditions', resource: 'nodes', name: 'n1', conditions: [ready], reason: 'x' }, { current: node, subjectRev: 7 }).type, 'Respond')
})

test('scale: ReplicaSetScaled; negative replicas is 422', () => {
  const { write } = server()
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default', resourceVersion: '9' }, spec: { replicas: 2 } } as never
  const c = write({ verb: 'scale', resource: 'replicasets', namespace: 'default', name: 'web', replicas: 5 }, { current: rs, subjectRev: 9 })
  assert.is(c.type === 'Append' && c.event.type, 'ReplicaSetScaled')
  const bad = write({ verb: 'scale', resource: 'replicasets', namespace: 'default', name: 'web', replicas: -1 }, { current: rs, subjectRev: 9 })
  assert.is(bad.type === 'Respond' && !bad.response.ok && bad.response.status.code, 422)
})

test.run()
