import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { OneNodeAtOnce, RuntimeFromLog, type PodRuntimeObservation, type Violation } from '../../../runtime/invariants/index.js'
import { history, pod, podSubject, T0 } from './history.js'

const obs = (node: string, state: 'running' | 'stopped', at: number, uid = 'u1'): PodRuntimeObservation => ({ at: T0 + at, node, uid, pod: 'pod/default/a', state })

function run(list: PodRuntimeObservation[]): Violation[] {
  const found: Violation[] = []
  const c = new OneNodeAtOnce((v) => found.push(v))
  for (const o of list) c.observe(o)
  return found
}

test('a pod that stops on one node before it starts on another is fine', () => {
  assert.equal(run([obs('n1', 'running', 0), obs('n1', 'running', 5), obs('n1', 'stopped', 10), obs('n2', 'running', 11)]), [])
})

test('a pod uid running on two nodes at once is a violation naming both', () => {
  const found = run([obs('n1', 'running', 0), obs('n2', 'running', 10)])
  assert.is(found.length, 1)
  assert.is(found[0].invariant, 'pod-on-one-node-at-once')
  assert.is(found[0].object, 'pod/default/a')
  assert.match(found[0].message, /u1 started on n2 while running on n1/)
})

test('different uids of the same name are different pods', () => {
  assert.equal(run([obs('n1', 'running', 0, 'u1'), obs('n2', 'running', 1, 'u2')]), [])
})

test('observations from the log: nodes\' Running statuses, and the pod\'s deletion', () => {
  const h = history([
    { subject: podSubject('a'), type: 'PodCreated', data: { object: pod('a', 'u1') } },
    { subject: podSubject('a'), type: 'PodBound', data: { nodeName: 'n1' } },
    { subject: podSubject('a'), type: 'PodStatusUpdated', data: { status: { phase: 'Running' } }, by: 'system:node:n1' },
    // A controller's status write (MarkPodsNotReady) says nothing about where the pod runs.
    { subject: podSubject('a'), type: 'PodStatusUpdated', data: { status: { phase: 'Running' } }, by: 'system:node-controller' },
    { subject: podSubject('a'), type: 'PodStatusUpdated', data: { status: { phase: 'Running' } }, by: 'system:node:n2' },
    { subject: podSubject('a'), type: 'PodDeleted', data: {} },
  ])
  const fromLog = new RuntimeFromLog()
  const seen = h.flatMap((r) => fromLog.record(r))
  assert.equal(seen.map((o) => `${o.node} ${o.state}`), ['n1 running', 'n2 running', 'n2 stopped'])
  const found = run(seen)
  assert.is(found.length, 1, 'n2 reported the pod running while n1 still ran it')
})

test.run()
