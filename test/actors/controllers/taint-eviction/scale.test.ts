import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { NOT_READY, harness, pod } from './harness.js'

/**
 * 500 NotReady nodes × 100 pods (default 300 s tolerations) beside 100 healthy nodes × 100 pods.
 * Wall time on the 2-core dev machine, each test printing its own: 2.0–3.1 s with the 60,000 pods
 * fed first, then 500 taints; 2.6–3.8 s with the taints first and every pod adding its deadline
 * (the path a restarted controller takes). Before tables were array-backed and evictions sent in
 * steps of 1,000, the same run took 16 s and 11 s.
 */
const TAINTED = 500
const HEALTHY = 100
const PODS_PER_NODE = 100

function feedPods(h: ReturnType<typeof harness>) {
  for (let n = 0; n < TAINTED + HEALTHY; n++) {
    const nodeName = n < TAINTED ? `bad-${n}` : `good-${n}`
    for (let i = 0; i < PODS_PER_NODE; i++) h.pod(pod(`p-${n}-${i}`, { node: nodeName }))
  }
}

function check(h: ReturnType<typeof harness>, started: number, label: string) {
  h.at(299)
  assert.is(h.commands.length, 0, 'nothing before 300 s')
  h.at(300)
  const evicted = h.take()
  assert.is(evicted.length, TAINTED * PODS_PER_NODE)
  assert.is(new Set(evicted.map((c) => c.name)).size, TAINTED * PODS_PER_NODE, 'each pod once')
  assert.ok(evicted.every((c) => c.nodeName.startsWith('bad-') && c.taint.key === NOT_READY))
  h.at(3600)
  assert.is(h.take().length, 0, 'nothing for pods on the healthy nodes')
  assert.is(h.clock.pending, 0)
  console.log(`${label}: ${Date.now() - started} ms wall`)
}

test('50,000 pods on 500 tainted nodes: exactly 50,000 evictions at 300 s, none elsewhere (pods first)', () => {
  const started = Date.now()
  const h = harness()
  for (let n = 0; n < TAINTED + HEALTHY; n++) h.node(n < TAINTED ? `bad-${n}` : `good-${n}`)
  feedPods(h)
  for (let n = 0; n < TAINTED; n++) h.taint(`bad-${n}`, h.noExecute(NOT_READY))
  assert.is(h.clock.pending, 1, 'one timer')
  check(h, started, 'pods first')
})

test('the same when the taints are known first and each pod adds its deadline (a restart lists nodes first)', () => {
  const started = Date.now()
  const h = harness()
  for (let n = 0; n < TAINTED; n++) h.taint(`bad-${n}`, h.noExecute(NOT_READY))
  for (let n = 0; n < HEALTHY; n++) h.node(`good-${TAINTED + n}`)
  h.at(100)
  feedPods(h)
  assert.is(h.ctx().deadlines.flat().length, TAINTED * PODS_PER_NODE)
  assert.is(h.clock.pending, 1, 'one timer')
  check(h, started, 'taints first')
})

test.run()
