import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { AcknowledgedWrites, type Violation } from '../../../runtime/invariants/index.js'
import { history, pod, podSubject } from './history.js'

const log = history([
  { subject: podSubject('a'), type: 'PodCreated', data: { object: pod('a', 'u1') } },
  { subject: podSubject('b'), type: 'PodCreated', data: { object: pod('b', 'u2') } },
])

function checker() {
  const found: Violation[] = []
  return { found, acks: new AcknowledgedWrites((v) => found.push(v)) }
}

test('acknowledgements that match the log are fine, before or after their record', () => {
  const { found, acks } = checker()
  acks.ack({ rev: 1, subject: podSubject('a') })
  acks.record(log[0])
  acks.record(log[1])
  acks.ack({ rev: 2, subject: podSubject('b') })
  acks.finish()
  assert.equal(found, [])
})

test('an acknowledged revision holding another object is a violation naming both', () => {
  const { found, acks } = checker()
  for (const r of log) acks.record(r)
  acks.ack({ rev: 2, subject: podSubject('a'), by: 'admin' })
  assert.is(found.length, 1)
  assert.is(found[0].invariant, 'acknowledged-writes-in-log')
  assert.is(found[0].rev, 2)
  assert.is(found[0].object, 'pod/default/a')
  assert.match(found[0].message, /pod\/default\/b/)
})

test('an acknowledgement past the end of the log is a lost write, found at finish', () => {
  const { found, acks } = checker()
  for (const r of log) acks.record(r)
  acks.ack({ rev: 3, subject: podSubject('c'), by: 'admin' })
  assert.equal(found, [], 'the record may still come')
  acks.finish()
  assert.is(found.length, 1)
  assert.match(found[0].message, /log ends at rev 2/)
})

test('an acknowledged revision the log skipped is a violation', () => {
  const { found, acks } = checker()
  acks.record(log[0])
  acks.record({ ...log[1], rev: 3 })
  acks.ack({ rev: 2, subject: podSubject('b') })
  assert.is(found.length, 1)
  assert.match(found[0].message, /no record at that revision/)
})

test.run()
