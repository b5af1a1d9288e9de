import type { Taint, Toleration } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { success, unschedulable } from '../../../../actors/scheduler/framework.js'
import { findUntoleratedTaint, toleratesTaint } from '../../../../actors/lib/tolerations.js'
import { taintToleration } from '../../../../actors/scheduler/plugins/taint-toleration.js'
import { info, node, pod } from '../builders.js'

const T = (key: string, effect: string, value?: string): Taint => ({ key, effect, ...(value !== undefined ? { value } : {}) })

// [description, toleration, taint, tolerated] — the cases of Kubernetes' TestTolerationToleratesTaint and more.
const matrix: [string, Toleration, Taint, boolean][] = [
  ['Exists with key and effect matches any value', { key: 'k', operator: 'Exists', effect: 'NoSchedule' }, T('k', 'NoSchedule', 'v'), true],
  ['Equal with equal value', { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, T('k', 'NoSchedule', 'v'), true],
  ['Equal with other value', { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, T('k', 'NoSchedule', 'w'), false],
  ['no operator means Equal', { key: 'k', value: 'v', effect: 'NoSchedule' }, T('k', 'NoSchedule', 'v'), true],
  ['no operator, other value', { key: 'k', value: 'v' }, T('k', 'NoSchedule', 'x'), false],
  ['Equal without value matches empty taint value', { key: 'k', operator: 'Equal' }, T('k', 'NoExecute'), true],
  ['other key', { key: 'k', operator: 'Exists' }, T('other', 'NoSchedule'), false],
  ['other effect', { key: 'k', operator: 'Exists', effect: 'NoSchedule' }, T('k', 'NoExecute'), false],
  ['empty effect matches every effect', { key: 'k', operator: 'Exists' }, T('k', 'NoExecute'), true],
  ['empty key with Exists matches every taint', { operator: 'Exists' }, T('anything', 'NoSchedule', 'v'), true],
  ['empty key with Exists and an effect matches that effect only', { operator: 'Exists', effect: 'NoExecute' }, T('anything', 'NoSchedule'), false],
  ['empty key with Equal compares values only (ToleratesTaint does)', { operator: 'Equal', value: 'v' }, T('anything', 'NoSchedule', 'v'), true],
  ['unknown operator matches nothing', { key: 'k', operator: 'Lt', value: '1' }, T('k', 'NoSchedule', '1'), false],
  ['unreachable taint tolerated by its default toleration', { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, T('node.kubernetes.io/unreachable', 'NoExecute'), true],
]

for (const [name, toleration, taint, want] of matrix) {
  test(`toleratesTaint: ${name}`, () => {
    assert.is(toleratesTaint(toleration, taint), want)
  })
}

test('findUntoleratedTaint returns the first untolerated taint in node order', () => {
  const taints = [T('a', 'NoSchedule'), T('b', 'NoExecute'), T('c', 'NoSchedule')]
  assert.equal(findUntoleratedTaint(taints, [{ key: 'a', operator: 'Exists' }], () => true), T('b', 'NoExecute'))
  assert.is(findUntoleratedTaint(taints, [{ operator: 'Exists' }], () => true), undefined)
})

// [description, node taints, pod tolerations, want]
const filterCases: [string, Taint[], Toleration[], ReturnType<typeof taintToleration.filter>][] = [
  ['no taints', [], [], success],
  ['PreferNoSchedule is not enforced', [T('soft', 'PreferNoSchedule')], [], success],
  ['NoSchedule untolerated', [T('dedicated', 'NoSchedule', 'gpu')], [], unschedulable('node(s) had untolerated taint {dedicated: gpu}')],
  ['NoExecute untolerated, empty value', [T('node.kubernetes.io/unreachable', 'NoExecute')], [], unschedulable('node(s) had untolerated taint {node.kubernetes.io/unreachable: }')],
  ['NoSchedule tolerated', [T('dedicated', 'NoSchedule', 'gpu')], [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }], success],
  ['one tolerated, one not', [T('a', 'NoSchedule'), T('b', 'NoSchedule')], [{ key: 'a', operator: 'Exists' }], unschedulable('node(s) had untolerated taint {b: }')],
  ['toleration with other effect does not help', [T('a', 'NoExecute')], [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }], unschedulable('node(s) had untolerated taint {a: }')],
  ['tolerate everything', [T('a', 'NoExecute'), T('b', 'NoSchedule', 'x')], [{ operator: 'Exists' }], success],
]

for (const [name, taints, tolerations, want] of filterCases) {
  test(`TaintToleration filter: ${name}`, () => {
    assert.equal(taintToleration.filter(pod('p', { tolerations }), info(node('n1', { taints }))), want)
  })
}

test.run()
