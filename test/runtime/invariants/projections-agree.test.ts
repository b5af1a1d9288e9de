import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { objectDigest, ObjectSetHash, ProjectionsAgree, type Violation } from '../../../runtime/invariants/index.js'

function checker() {
  const found: Violation[] = []
  return { found, c: new ProjectionsAgree((v) => found.push(v)) }
}

test('processes reporting the same hash at the same revision agree; a different one is a violation naming both', () => {
  const { found, c } = checker()
  c.report({ process: 'api-server', resource: 'pods', rev: 10, hash: 'aaaa' })
  c.report({ process: 'scheduler', resource: 'pods', rev: 10, hash: 'aaaa' })
  c.report({ process: 'scheduler', resource: 'nodes', rev: 10, hash: 'bbbb' })
  assert.equal(found, [])
  c.report({ process: 'replicaset-controller', resource: 'pods', rev: 10, hash: 'cccc' })
  assert.is(found.length, 1)
  assert.is(found[0].invariant, 'projections-agree')
  assert.is(found[0].rev, 10)
  assert.match(found[0].message, /replicaset-controller's pods projection at rev 10 hashes cccc, api-server's aaaa/)
})

test('prune forgets revisions below the one given', () => {
  const { c } = checker()
  c.report({ process: 'a', rev: 1, hash: 'x' })
  c.report({ process: 'a', rev: 2, hash: 'x' })
  c.prune(2)
  assert.is(c.size, 1)
})

test('object-set hashes: equal contents hash equal whatever the key order or the order of changes', () => {
  const a = new ObjectSetHash()
  const b = new ObjectSetHash()
  const p1 = { metadata: { name: 'p1', resourceVersion: '1' }, spec: { x: 1, y: 2 } }
  const p1b = { spec: { y: 2, x: 1 }, metadata: { resourceVersion: '1', name: 'p1' } }
  const p2 = { metadata: { name: 'p2', resourceVersion: '2' } }
  a.change('p1', undefined, p1)
  a.change('p2', undefined, p2)
  b.change('p2', undefined, p2)
  b.change('p1', undefined, p1b)
  assert.is(a.value, b.value)
  const p2v3 = { metadata: { name: 'p2', resourceVersion: '3' } }
  a.change('p2', p2, p2v3)
  assert.is.not(a.value, b.value)
  a.change('p2', p2v3, undefined)
  b.change('p2', p2, undefined)
  assert.is(a.value, b.value)
  const swapped = new ObjectSetHash()
  const straight = new ObjectSetHash()
  straight.change('x', undefined, p1)
  straight.change('y', undefined, p2)
  swapped.change('x', undefined, p2)
  swapped.change('y', undefined, p1)
  assert.is.not(swapped.value, straight.value, 'keys that swap objects')
})

test('object digests see every value, where it is, and array order — not key order', () => {
  const base = { metadata: { name: 'p', labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'c1' }, { name: 'c2' }], n: 3, ok: true } }
  const same = { spec: { ok: true, n: 3, containers: [{ name: 'c1' }, { name: 'c2' }] }, metadata: { labels: { b: '2', a: '1' }, name: 'p' } }
  assert.is(objectDigest(base), objectDigest(same))
  const variants = [
    { ...base, metadata: { name: 'p', labels: { a: '2', b: '1' } } },
    { ...base, spec: { ...base.spec, containers: [{ name: 'c2' }, { name: 'c1' }] } },
    { ...base, spec: { ...base.spec, n: 4 } },
    { ...base, spec: { ...base.spec, ok: false } },
    { ...base, spec: { ...base.spec, n: '3' } },
  ]
  for (const v of variants) assert.is.not(objectDigest(v), objectDigest(base), JSON.stringify(v))
})

test.run()
