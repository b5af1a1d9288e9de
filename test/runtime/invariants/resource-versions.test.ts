import type { Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ResourceVersions, type Violation } from '../../../runtime/invariants/index.js'
import type { ObjectChange } from '../../../runtime/projections/types.js'
import { history, pod, podSubject } from './history.js'

function checker() {
  const found: Violation[] = []
  return { found, c: new ResourceVersions((v) => found.push(v)) }
}
const at = (p: Pod, rev: number): Pod => ({ ...p, metadata: { ...p.metadata, resourceVersion: String(rev) } })
const ev = history([{ subject: podSubject('a'), type: 'PodBound', data: { nodeName: 'n1' } }])[0].event

test('the log\'s revisions must strictly increase', () => {
  const { found, c } = checker()
  c.record({ rev: 1, subject: podSubject('a') })
  c.record({ rev: 3, subject: podSubject('b') })
  c.record({ rev: 3, subject: podSubject('a') })
  c.record({ rev: 2, subject: podSubject('a') })
  assert.is(found.length, 2)
  assert.is(found[0].invariant, 'resource-versions-increase')
  assert.match(found[0].message, /revision 3 follows revision 3/)
  assert.is(found[1].object, 'pod/default/a')
})

test('a watcher seeing a change out of order, or an object with another resourceVersion, is a violation', () => {
  const { found, c } = checker()
  const p = pod('a', 'u1')
  const change = (rev: number, object: Pod, previous?: Pod): ObjectChange<unknown> => ({ type: previous ? 'MODIFIED' : 'ADDED', rev, object, previous, event: ev })
  c.observe('scheduler', 'pods', change(5, at(p, 5)))
  c.observe('scheduler', 'pods', change(7, at(p, 7), at(p, 5)))
  assert.equal(found, [])
  c.observe('scheduler', 'pods', change(6, at(p, 6), at(p, 7)))
  assert.is(found.length, 2, 'out of order in the stream, and backwards for the object')
  assert.match(found[0].message, /scheduler: pods change at rev 6 delivered after rev 7/)
  c.observe('kubelets', 'pods', change(9, at(p, 8), at(p, 7)))
  assert.is(found.length, 3)
  assert.match(found[2].message, /kubelets: MODIFIED at rev 9 carries resourceVersion 8/)
})

test('each watcher and resource is its own stream; the initial list is checked for versions only', () => {
  const { found, c } = checker()
  const p = pod('a', 'u1')
  c.observe('scheduler', 'pods', { type: 'ADDED', rev: 9, object: at(p, 9), event: ev })
  c.observe('scheduler', 'nodes', { type: 'ADDED', rev: 4, object: { metadata: { name: 'n1', resourceVersion: '4' } }, event: ev })
  c.observe('controller', 'pods', { type: 'ADDED', rev: 3, object: at(p, 3) })
  assert.equal(found, [])
})

test.run()
