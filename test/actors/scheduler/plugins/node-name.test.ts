import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { success, unschedulable } from '../../../../actors/scheduler/framework.js'
import { nodeName } from '../../../../actors/scheduler/plugins/node-name.js'
import { info, node, pod } from '../builders.js'

const cases: [string, string | undefined, string, ReturnType<typeof nodeName.filter>][] = [
  ['no nodeName fits any node', undefined, 'n1', success],
  ['nodeName equal', 'n1', 'n1', success],
  ['nodeName different', 'n2', 'n1', unschedulable("node(s) didn't match the requested node name")],
]

for (const [name, wanted, on, want] of cases) {
  test(name, () => {
    assert.equal(nodeName.filter(pod('p', { nodeName: wanted }), info(node(on))), want)
  })
}

test.run()
