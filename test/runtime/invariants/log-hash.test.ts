import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LogHash } from '../../../runtime/invariants/index.js'
import { history, pod, podSubject } from './history.js'

const h = history([
  { subject: podSubject('a'), type: 'PodCreated', data: { object: pod('a', 'u1') } },
  { subject: podSubject('a'), type: 'PodBound', data: { nodeName: 'n1' } },
])
const hashOf = (recs: typeof h) => {
  const l = new LogHash()
  for (const r of recs) l.add(r)
  return l.digest()
}

test('the same records hash alike; any change of revision, subject, time or data changes the hash', () => {
  assert.is(hashOf(h), hashOf(structuredClone(h)))
  assert.is.not(hashOf(h), hashOf([h[0], { ...h[1], rev: 3 }]))
  assert.is.not(hashOf(h), hashOf([h[0], { ...h[1], subject: podSubject('b') }]))
  assert.is.not(hashOf(h), hashOf([h[0], { ...h[1], event: { ...h[1].event, at: h[1].event.at + 1 } }]))
  assert.is.not(hashOf(h), hashOf([h[0], { ...h[1], event: { ...h[1].event, data: { nodeName: 'n2' } } as never }]))
  assert.match(hashOf(h), /^[0-9a-f]{64}$/)
})

test.run()
