import type { Toleration } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { success, unschedulable } from '../../../../actors/scheduler/framework.js'
import { nodeUnschedulable } from '../../../../actors/scheduler/plugins/node-unschedulable.js'
import { info, node, pod } from '../builders.js'

const cordoned = unschedulable('node(s) were unschedulable')

// [description, node.spec.unschedulable, pod tolerations, want]
const cases: [string, boolean, Toleration[], ReturnType<typeof nodeUnschedulable.filter>][] = [
  ['schedulable node', false, [], success],
  ['cordoned node', true, [], cordoned],
  ['cordoned, tolerated by key and effect', true, [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }], success],
  ['cordoned, tolerated by Exists on every key', true, [{ operator: 'Exists' }], success],
  ['cordoned, toleration for NoExecute only', true, [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }], cordoned],
  ['cordoned, toleration for another key', true, [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }], cordoned],
]

for (const [name, cordon, tolerations, want] of cases) {
  test(name, () => {
    assert.equal(nodeUnschedulable.filter(pod('p', { tolerations }), info(node('n1', { unschedulable: cordon }))), want)
  })
}

test.run()
