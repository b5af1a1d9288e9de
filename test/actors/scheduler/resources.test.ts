import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { nodeAllocatable, podNonZeroRequests, podRequests, toMilli, toNumber } from '../../../actors/scheduler/resources.js'
import { node, pod } from './builders.js'

const quantities: [string | number, number, number][] = [
  // [quantity, milli, units]
  ['100m', 100, 1],
  ['1', 1000, 1],
  [2, 2000, 2],
  ['0.1', 100, 1],
  ['1.5', 1500, 2],
  ['64Mi', 64 * 1024 * 1024 * 1000, 64 * 1024 * 1024],
  ['1Gi', 1024 ** 3 * 1000, 1024 ** 3],
  ['1k', 1_000_000, 1000],
  ['1M', 1e9, 1e6],
  ['1G', 1e12, 1e9],
  ['1Ki', 1_024_000, 1024],
  ['1e3', 1_000_000, 1000],
  ['not-a-quantity', 0, 0],
]

for (const [q, milli, units] of quantities) {
  test(`quantity ${q}`, () => {
    assert.is(toMilli(q), milli)
    assert.is(toNumber(q), units)
  })
}

test('pod requests: sum of containers; missing ones count 0 for fit and the defaults for scoring', () => {
  const p = pod('p', { cpu: '250m' })
  p.spec!.containers.push({ name: 'side', image: 'x', resources: { requests: { memory: '32Mi' } } })
  assert.equal(podRequests(p), { milliCpu: 250, memory: 32 * 1024 * 1024 })
  assert.equal(podNonZeroRequests(p), { milliCpu: 250 + 100, memory: 200 * 1024 * 1024 + 32 * 1024 * 1024 })
})

test('an explicit 0 request is not replaced by the scoring default', () => {
  const p = pod('p', { cpu: '0', memory: '0' })
  assert.equal(podNonZeroRequests(p), { milliCpu: 0, memory: 0 })
})

test('limits without requests count as requests', () => {
  assert.equal(podRequests(pod('p', { limitsCpu: '1', limitsMemory: '1Gi' })), { milliCpu: 1000, memory: 1024 ** 3 })
})

test('pod overhead is added', () => {
  const p = pod('p', { cpu: '100m' })
  p.spec!.overhead = { cpu: '50m', memory: '10Mi' }
  assert.equal(podRequests(p), { milliCpu: 150, memory: 10 * 1024 * 1024 })
})

test('node allocatable: pods default to 110, capacity when allocatable is absent', () => {
  assert.equal(nodeAllocatable(node('n1', { cpu: '2', memory: '1Gi' })), { milliCpu: 2000, memory: 1024 ** 3, pods: 110 })
  assert.equal(nodeAllocatable(node('n1', { pods: '20' })).pods, 20)
  const n = { ...node('n2'), status: { capacity: { cpu: '3', memory: '1Mi', pods: '5' } } }
  assert.equal(nodeAllocatable(n), { milliCpu: 3000, memory: 1024 * 1024, pods: 5 })
})

test.run()
