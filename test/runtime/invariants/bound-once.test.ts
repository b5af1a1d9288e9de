import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BoundOnce, type Violation } from '../../../runtime/invariants/index.js'
import { history, pod, podSubject } from './history.js'

function run(h: ReturnType<typeof history>): Violation[] {
  const found: Violation[] = []
  const c = new BoundOnce((v) => found.push(v))
  for (const r of h) c.record(r)
  return found
}

test('one binding per pod is fine', () => {
  assert.equal(run(history([
    { subject: podSubject('a'), type: 'PodCreated', data: { object: pod('a', 'u1') } },
    { subject: podSubject('a'), type: 'PodBound', data: { nodeName: 'n1' } },
    { subject: podSubject('a'), type: 'PodStatusUpdated', data: { status: { phase: 'Running' } } },
  ])), [])
})

test('a second PodBound of the same incarnation is a violation at its revision', () => {
  const found = run(history([
    { subject: podSubject('a'), type: 'PodCreated', data: { object: pod('a', 'u1') } },
    { subject: podSubject('a'), type: 'PodBound', data: { nodeName: 'n1' } },
    { subject: podSubject('a'), type: 'PodBound', data: { nodeName: 'n2' } },
  ]))
  assert.is(found.length, 1)
  assert.is(found[0].invariant, 'pod-bound-once')
  assert.is(found[0].rev, 3)
  assert.is(found[0].object, 'pod/default/a')
  assert.match(found[0].message, /u1 bound to n2, but it was bound to n1 at rev 2/)
})

test('a pod created with spec.nodeName counts as bound', () => {
  const found = run(history([
    { subject: podSubject('a'), type: 'PodCreated', data: { object: pod('a', 'u1', { spec: { nodeName: 'n1', containers: [] } }) } },
    { subject: podSubject('a'), type: 'PodBound', data: { nodeName: 'n2' } },
  ]))
  assert.is(found.length, 1)
  assert.match(found[0].message, /at creation/)
})

test('a namesake created after the deletion is a new incarnation and may be bound again', () => {
  assert.equal(run(history([
    { subject: podSubject('a'), type: 'PodCreated', data: { object: pod('a', 'u1') } },
    { subject: podSubject('a'), type: 'PodBound', data: { nodeName: 'n1' } },
    { subject: podSubject('a'), type: 'PodDeleted', data: {} },
    { subject: podSubject('a'), type: 'PodCreated', data: { object: pod('a', 'u2') } },
    { subject: podSubject('a'), type: 'PodBound', data: { nodeName: 'n2' } },
  ])), [])
})

test.run()
