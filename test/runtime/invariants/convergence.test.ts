import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ReplicaSetConvergence, replicaSetStates, ReplicaSetTally, type Violation } from '../../../runtime/invariants/index.js'
import { T0 } from './history.js'

const rs = (replicas: number): ReplicaSet => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default', uid: 'rs-1' }, spec: { replicas, selector: {}, template: {} } })
const owned = (name: string, phase: string, ready: boolean, extra: { deleting?: boolean; owner?: string } = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: name, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: extra.owner ?? 'rs-1', controller: true }], ...(extra.deleting ? { deletionTimestamp: 'T' } : {}) },
  spec: { containers: [] },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
})

test('states count active pods by controller uid, and those Running and Ready', () => {
  const [s] = replicaSetStates([rs(3)], [owned('a', 'Running', true), owned('b', 'Pending', false), owned('c', 'Running', true, { deleting: true }), owned('d', 'Running', true, { owner: 'other' }), owned('e', 'Failed', false)])
  assert.equal(s, { object: 'replicaset/default/web', desired: 3, active: 2, ready: 1 })
})

test('the incremental tally agrees with a full count through creations, changes and deletions', () => {
  const t = new ReplicaSetTally()
  t.replicaSet('default/web', rs(3))
  const a = owned('a', 'Pending', false)
  const a2 = owned('a', 'Running', true)
  const b = owned('b', 'Running', true)
  const b2 = owned('b', 'Running', true, { deleting: true })
  t.pod(undefined, a)
  t.pod(undefined, b)
  t.pod(a, a2)
  t.pod(b, b2)
  t.pod(undefined, owned('c', 'Running', true, { owner: 'other' }))
  assert.equal(t.states(), replicaSetStates([rs(3)], [a2, b2, owned('c', 'Running', true, { owner: 'other' })]))
  t.pod(b2, undefined)
  t.replicaSet('default/web', rs(1))
  assert.equal(t.states(), [{ object: 'replicaset/default/web', desired: 1, active: 1, ready: 1 }])
  t.replicaSet('default/web', undefined)
  assert.equal(t.states(), [])
})

function checker(withinMs = 60_000) {
  const found: Violation[] = []
  return { found, c: new ReplicaSetConvergence((v) => found.push(v), withinMs, T0) }
}
const behind = replicaSetStates([rs(2)], [owned('a', 'Running', true)])
const done = replicaSetStates([rs(2)], [owned('a', 'Running', true), owned('b', 'Running', true)])

test('a ReplicaSet behind its replicas past the allowed time after the last fault is a violation, once', () => {
  const { found, c } = checker()
  c.begin(T0 + 10_000)
  c.check(T0 + 500_000, behind)
  assert.equal(found, [], 'the clock does not run while a fault is in effect')
  c.end(T0 + 600_000)
  c.check(T0 + 630_000, behind)
  assert.equal(found, [], 'within the allowed time')
  c.check(T0 + 661_000, behind)
  c.check(T0 + 700_000, behind)
  assert.is(found.length, 1)
  assert.is(found[0].invariant, 'replicasets-converge')
  assert.is(found[0].object, 'replicaset/default/web')
  assert.match(found[0].message, /1 active and 1 ready of 2 desired replicas 61 s after/)
})

test('converging in time records how long it took', () => {
  const { found, c } = checker()
  c.disturb(T0 + 1_000)
  c.check(T0 + 20_000, behind)
  c.check(T0 + 31_000, done)
  c.check(T0 + 500_000, done)
  assert.equal(found, [])
  assert.is(c.worstMs, 30_000)
})

test.run()
