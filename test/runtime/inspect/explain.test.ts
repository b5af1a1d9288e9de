/**
 * `kstate explain pod/NAME`: the scheduler's decision per node — rejected by which filter and why,
 * scores per plugin and total, nodes the search never reached — and the result, as printed.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Decision } from '../../../actors/scheduler/scheduler.js'
import { explain, formatExplanation } from '../../../runtime/inspect/explain.js'

const decision: Decision = {
  uid: 'u1',
  rev: 42,
  attempt: 7,
  rejected: [{ plugin: 'TaintToleration', reasons: ["node(s) had untolerated taint {dedicated: gpu}"], nodes: ['n-a'] }],
  scored: { nodes: ['n-b', 'n-c'], total: [87, 91], byPlugin: { NodeResourcesFit: [87, 91] } },
  outcome: { nodeName: 'n-c' },
}
const pod = { namespace: 'default', name: 'web', uid: 'u1', nodeName: 'n-c', phase: 'Running' }

test('every node of the cluster: rejected, scored (the chosen one marked) or not evaluated', () => {
  const e = explain(pod, decision, ['n-a', 'n-b', 'n-c', 'n-d'])
  assert.equal(e.decision!.nodes, [
    { node: 'n-a', result: 'rejected', plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {dedicated: gpu}'] },
    { node: 'n-b', result: 'scored', scores: { NodeResourcesFit: 87 }, total: 87, chosen: false },
    { node: 'n-c', result: 'scored', scores: { NodeResourcesFit: 91 }, total: 91, chosen: true },
    { node: 'n-d', result: 'not-evaluated' },
  ])
})

test('the text: header, one row per node with the filter or the scores, a summary', () => {
  const text = formatExplanation(explain(pod, decision, ['n-a', 'n-b', 'n-c', 'n-d']))
  assert.is(
    text,
    [
      'Pod:      default/web (uid u1)',
      'Phase:    Running',
      'Node:     n-c',
      'Decision: attempt 7 on revision 42',
      'Result:   bound to n-c',
      '',
      'NODE   FILTER                                                            NODERESOURCESFIT   TOTAL',
      'n-a    TaintToleration: node(s) had untolerated taint {dedicated: gpu}',
      'n-b    passed                                                            87                 87',
      'n-c    passed                                                            91                 91      ← chosen',
      'n-d    not evaluated (enough feasible nodes found first)',
      '',
      '4 nodes: 2 feasible, 1 rejected, 1 not evaluated',
      '',
    ].join('\n'),
  )
})

test('an unschedulable pod shows the FitError message; a failed binding is named', () => {
  const d: Decision = { ...decision, scored: { nodes: [], total: [], byPlugin: { NodeResourcesFit: [] } }, rejected: [{ plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {x: y}'], nodes: ['n-a', 'n-b'] }], outcome: { message: '0/2 nodes are available: 2 node(s) had untolerated taint {x: y}.' }, bindError: 'conflict' }
  const text = formatExplanation(explain({ namespace: 'default', name: 'web' }, d, ['n-a', 'n-b']))
  assert.match(text, 'Result:   unschedulable: 0/2 nodes are available: 2 node(s) had untolerated taint {x: y}. (binding failed: conflict)')
  assert.match(text, '2 nodes: 0 feasible, 2 rejected\n')
})

test('no decision: says why', () => {
  assert.match(formatExplanation(explain(pod, undefined, ['n-a'], 1000)), 'Decision: none — no scheduling decision is kept for this pod: it is bound to n-c and the scheduler keeps the last 1000 decisions')
  assert.match(formatExplanation(explain({ namespace: 'default', name: 'x' }, undefined, [])), 'the scheduler has made no decision for this pod yet')
})

test.run()
