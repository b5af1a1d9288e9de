import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseScenario } from '../../../runtime/chaos/scenario.js'
import { formatReport } from '../../../runtime/chaos/report.js'

const EXAMPLES = new URL('../../../examples/chaos/', import.meta.url).pathname
const load = (name: string) => parseScenario(readFileSync(join(EXAMPLES, name), 'utf8'), join(EXAMPLES, name))

test('the example scenarios parse: manifests beside them, faults in kstate chaos words', () => {
  const nodeLoss = load('node-loss.yaml')
  assert.is(nodeLoss.name, 'node-loss')
  assert.equal(nodeLoss.manifests, [join(EXAMPLES, 'node-loss-replicaset.yaml')])
  assert.equal(nodeLoss.timeline, [{ atMs: 1000, fault: { kind: 'kill-node', node: 'node-2' }, forMs: 10_000, words: 'kill node node-2' }])
  assert.equal(nodeLoss.writes, { ratePerSecond: 10, namespace: 'default' })
  assert.is(nodeLoss.convergeWithinMs, 30_000)
  const crash = load('control-plane-crash.yaml')
  assert.equal(crash.timeline.map((s) => s.fault.kind), ['kill-control-plane', 'restart-nats'])
  const partition = load('partition-heal.yaml')
  assert.equal(partition.timeline[0].fault, { kind: 'partition', a: ['node-3'], from: ['control-plane'], oneWay: false })
})

test('a bad scenario names the file and the field', () => {
  const bad: [string, RegExp][] = [
    ['timeline: []', /timeline: expected a list of steps/],
    ['timeline: [{ at: 1s, fault: "explode" }]', /x.yaml: timeline\[0\]\.fault: unknown fault "explode"/],
    ['timeline: [{ at: soon, fault: "kill control-plane" }]', /timeline\[0\]\.at: invalid duration "soon"/],
    ['writes: { rate: 0 }\ntimeline: [{ fault: "kill control-plane" }]', /writes.rate/],
    ['tiemline: []', /unknown field "tiemline"/],
  ]
  for (const [text, re] of bad) assert.throws(() => parseScenario(text, 'x.yaml'), re, text)
})

test('steps run in time order whatever order the file lists them', () => {
  const s = parseScenario('timeline:\n  - { at: 5s, fault: "heal-me" }\n'.replace('heal-me', 'pause api-server') + '  - { at: 1s, fault: "kill control-plane" }\n', 'x.yaml')
  assert.equal(s.timeline.map((t) => t.atMs), [1000, 5000])
})

test('the verdict table: one line per invariant, then the figures', () => {
  const text = formatReport({
    scenario: 'node-loss',
    passed: false,
    durationMs: 21_600,
    faults: ['kill-node-1a2b3c'],
    writes: { attempted: 10, acknowledged: 9, failed: 1, lost: 1 },
    convergedAfterMs: 1_100,
    recoveredAfterMs: 9_400,
    lastRev: 812,
    invariants: [
      { name: 'acknowledged-writes-in-log', checked: '9 acknowledged writes', violations: 1 },
      { name: 'pod-bound-once', checked: '812 log events', violations: 0 },
    ],
    violations: ['acknowledged-writes-in-log rev 900 pod/default/w: acknowledged at rev 900, but the log ends at rev 812'],
  })
  assert.match(text, /^INVARIANT\s+VERDICT\s+VIOLATIONS\s+CHECKED\nacknowledged-writes-in-log\s+VIOLATED\s+1\s+9 acknowledged writes\npod-bound-once\s+ok\s+0/)
  assert.match(text, 'scenario node-loss: FAILED in 21.6 s, 1 faults (kill-node-1a2b3c), log at rev 812')
  assert.match(text, 'writes: 9 acknowledged, 1 lost, 1 failed (not acknowledged) of 10')
  assert.match(text, 'convergence: 1.1 s after the last fault cleared, 9.4 s after the first fault')
})

test.run()
