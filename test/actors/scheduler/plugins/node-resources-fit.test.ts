import type { Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { success, unschedulable, type Status } from '../../../../actors/scheduler/framework.js'
import { leastAllocatedScore, leastRequestedScore } from '../../../../actors/scheduler/plugins/least-allocated.js'
import { nodeResourcesFit } from '../../../../actors/scheduler/plugins/node-resources-fit.js'
import { info, node, pod, type NodeOpts } from '../builders.js'

const many = (n: number, o: Parameters<typeof pod>[1] = {}) => Array.from({ length: n }, (_, i) => pod(`e${i}`, { nodeName: 'n1', ...o }))

const withInit = (p: Pod, init: { cpu: string; restartPolicy?: string }[]): Pod => ({
  ...p,
  spec: {
    ...p.spec!,
    initContainers: init.map((c, i) => ({ name: `init${i}`, image: 'busybox', resources: { requests: { cpu: c.cpu } }, ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}) })),
  },
})

// [description, node, pods already on it, incoming pod, want]
const fitCases: [string, NodeOpts, Pod[], Pod, Status][] = [
  ['100m / 64Mi on an empty node', { cpu: '1', memory: '1Gi' }, [], pod('p', { cpu: '100m', memory: '64Mi' }), success],
  ['exactly the rest of the cpu', { cpu: '1' }, many(9, { cpu: '100m' }), pod('p', { cpu: '100m' }), success],
  ['one milli-core too many', { cpu: '1' }, many(9, { cpu: '100m' }), pod('p', { cpu: '101m' }), unschedulable('Insufficient cpu')],
  ['exactly the rest of the memory', { memory: '128Mi' }, many(1, { memory: '64Mi' }), pod('p', { memory: '64Mi' }), success],
  ['one byte too many', { memory: '128Mi' }, many(1, { memory: '64Mi' }), pod('p', { memory: `${64 * 1024 * 1024 + 1}` }), unschedulable('Insufficient memory')],
  ['cpu and memory short: both reasons', { cpu: '100m', memory: '64Mi' }, [], pod('p', { cpu: '200m', memory: '128Mi' }), unschedulable('Insufficient cpu', 'Insufficient memory')],
  ['limits count as requests when requests are absent', { cpu: '1' }, [], pod('p', { limitsCpu: '2' }), unschedulable('Insufficient cpu')],
  ['requests win over limits', { cpu: '1' }, [], pod('p', { cpu: '500m', limitsCpu: '2' }), success],
  ['a pod without requests fits a full node', { cpu: '1', memory: '64Mi' }, many(1, { cpu: '1', memory: '64Mi' }), pod('p'), success],
  ['pods without requests count 0 for fit', { cpu: '1' }, many(20), pod('p', { cpu: '1' }), success],
  ['109 pods + 1 ≤ 110 (default when allocatable names no pods)', {}, many(109), pod('p'), success],
  ['110 pods + 1 > 110', {}, many(110), pod('p'), unschedulable('Too many pods')],
  ['allocatable pods honoured', { pods: '2' }, many(2), pod('p'), unschedulable('Too many pods')],
  ['too many pods and insufficient cpu', { pods: '1', cpu: '1' }, many(1, { cpu: '1' }), pod('p', { cpu: '1' }), unschedulable('Too many pods', 'Insufficient cpu')],
  ['init container larger than the app containers', { cpu: '1' }, [], withInit(pod('p', { cpu: '100m' }), [{ cpu: '1500m' }]), unschedulable('Insufficient cpu')],
  ['init container smaller: the max, not the sum', { cpu: '1' }, [], withInit(pod('p', { cpu: '600m' }), [{ cpu: '600m' }]), success],
  ['sidecar adds to the app containers', { cpu: '1' }, [], withInit(pod('p', { cpu: '600m' }), [{ cpu: '500m', restartPolicy: 'Always' }]), unschedulable('Insufficient cpu')],
]

for (const [name, n, existing, incoming, want] of fitCases) {
  test(`filter: ${name}`, () => {
    assert.equal(nodeResourcesFit.filter(incoming, info(node('n1', n), existing)), want)
  })
}

test('leastRequestedScore is integer arithmetic, 0 when over or nothing allocatable', () => {
  assert.is(leastRequestedScore(0, 4000), 100)
  assert.is(leastRequestedScore(100, 4000), 97)
  assert.is(leastRequestedScore(4000, 4000), 0)
  assert.is(leastRequestedScore(5000, 4000), 0)
  assert.is(leastRequestedScore(10, 0), 0)
})

test('leastAllocatedScore averages cpu and memory, skipping what the node does not offer', () => {
  assert.is(leastAllocatedScore({ milliCpu: 100, memory: 0 }, { milliCpu: 4000, memory: 1000 }), Math.floor((97 + 100) / 2))
  assert.is(leastAllocatedScore({ milliCpu: 100, memory: 0 }, { milliCpu: 4000, memory: 0 }), 97)
  assert.is(leastAllocatedScore({ milliCpu: 1, memory: 1 }, { milliCpu: 0, memory: 0 }), 0)
})

// [description, node, pods already on it, incoming pod, score]; node 4 cpu / 8Gi.
const scoreCases: [string, Pod[], Pod, number][] = [
  // cpu (4000-100)*100/4000 = 97; memory (8192-64)*100/8192 = 99 → 98
  ['100m / 64Mi on an empty node', [], pod('p', { cpu: '100m', memory: '64Mi' }), 98],
  // a pod without requests counts 100m / 200Mi: cpu 97, memory (8192-200)*100/8192 = 97
  ['no requests count the non-zero defaults', [], pod('p'), 97],
  // existing pod without requests counts too: cpu 200m → 95, memory 264Mi → 96 → 95
  ['existing pods count their non-zero defaults', [pod('e', { nodeName: 'n1' })], pod('p', { cpu: '100m', memory: '64Mi' }), 95],
  // 2 cpu / 4Gi used + 2 cpu / 4Gi more: both 0
  ['a full node scores 0', [pod('e', { nodeName: 'n1', cpu: '2', memory: '4Gi' })], pod('p', { cpu: '2', memory: '4Gi' }), 0],
  // cpu (4000-2100)*100/4000 = 47; memory (8192-2112)*100/8192 = 74 → 60
  ['half used', [pod('e', { nodeName: 'n1', cpu: '2', memory: '2Gi' })], pod('p', { cpu: '100m', memory: '64Mi' }), 60],
]

for (const [name, existing, incoming, want] of scoreCases) {
  test(`score: ${name}`, () => {
    assert.is(nodeResourcesFit.score(incoming, info(node('n1'), existing)), want)
  })
}

test('a less allocated node scores higher', () => {
  const p = pod('p', { cpu: '100m', memory: '64Mi' })
  const busy = nodeResourcesFit.score(p, info(node('n1'), [pod('e', { nodeName: 'n1', cpu: '1', memory: '1Gi' })]))
  const idle = nodeResourcesFit.score(p, info(node('n2')))
  assert.ok(idle > busy, `${idle} > ${busy}`)
})

test.run()
