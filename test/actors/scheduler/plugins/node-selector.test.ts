import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { success, unschedulable } from '../../../../actors/scheduler/framework.js'
import { nodeSelector } from '../../../../actors/scheduler/plugins/node-selector.js'
import { info, node, pod } from '../builders.js'

const mismatch = unschedulable("node(s) didn't match Pod's node affinity/selector")

const cases: [string, Record<string, string> | undefined, Record<string, string>, ReturnType<typeof nodeSelector.filter>][] = [
  ['no selector', undefined, {}, success],
  ['empty selector', {}, { disk: 'ssd' }, success],
  ['label matches', { disk: 'ssd' }, { disk: 'ssd', zone: 'a' }, success],
  ['all labels match', { disk: 'ssd', zone: 'a' }, { disk: 'ssd', zone: 'a' }, success],
  ['value differs', { disk: 'ssd' }, { disk: 'hdd' }, mismatch],
  ['label missing', { disk: 'ssd' }, { zone: 'a' }, mismatch],
  ['one of two missing', { disk: 'ssd', zone: 'b' }, { disk: 'ssd', zone: 'a' }, mismatch],
  ['empty value needs the label present', { flag: '' }, {}, mismatch],
  ['empty value present', { flag: '' }, { flag: '' }, success],
]

for (const [name, selector, labels, want] of cases) {
  test(name, () => {
    assert.equal(nodeSelector.filter(pod('p', { nodeSelector: selector }), info(node('n1', { labels }))), want)
  })
}

test.run()
