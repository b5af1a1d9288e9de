import type { Toleration } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { success, unschedulable } from '../../../../actors/scheduler/framework.js'
import { nodeReady } from '../../../../actors/scheduler/plugins/node-ready.js'
import { info, node, pod, type NodeOpts } from '../builders.js'

const notReady = unschedulable('node(s) were not ready')
const tolerate = (key: string): Toleration[] => [{ key, operator: 'Exists', effect: 'NoSchedule' }]

// [description, Ready status, pod tolerations, want]
const cases: [string, NodeOpts['ready'], Toleration[], ReturnType<typeof nodeReady.filter>][] = [
  ['Ready=True', 'True', [], success],
  ['Ready=False', 'False', [], notReady],
  ['Ready=Unknown', 'Unknown', [], notReady],
  ['no Ready condition yet', null, [], notReady],
  ['Ready=False, pod tolerates not-ready', 'False', tolerate('node.kubernetes.io/not-ready'), success],
  ['Ready=False, pod tolerates unreachable only', 'False', tolerate('node.kubernetes.io/unreachable'), notReady],
  ['Ready=Unknown, pod tolerates unreachable', 'Unknown', tolerate('node.kubernetes.io/unreachable'), success],
  ['Ready=Unknown, NoExecute toleration (the default one) is not enough', 'Unknown', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], notReady],
]

for (const [name, ready, tolerations, want] of cases) {
  test(name, () => {
    assert.equal(nodeReady.filter(pod('p', { tolerations }), info(node('n1', { ready }))), want)
  })
}

test.run()
