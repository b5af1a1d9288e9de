/** A process's view of the log: at once when healthy, stale or partial while its watch lags, frozen while cut off. */
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { logSubject, type LogEvent } from '../../../events/index.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'
import { ClusterStore } from '../../../runtime/projections/cluster-store.js'
import { ProcessView } from '../../../runtime/simulate/process-view.js'

const pod = (name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name }, spec: { containers: [] } })
const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } })

function setup() {
  const clock = new VirtualClock(0)
  const source = new ClusterStore()
  const reports: string[] = []
  const view = new ProcessView('scheduler', source, clock, { projection: (p, r, rev, hash) => reports.push(`${p} ${r} ${rev} ${hash}`) })
  let rev = 0
  const append = (subject: string, event: Omit<LogEvent, 'v' | 'at' | 'by'>) => source.apply({ rev: ++rev, subject, event: { v: 1, at: clock.now(), by: 't', ...event } as LogEvent })
  const addPod = (name: string) => append(logSubject('pods', 'default', name), { type: 'PodCreated', data: { object: pod(name) } } as never)
  const addNode = (name: string) => append(logSubject('nodes', undefined, name), { type: 'NodeRegistered', data: { object: node(name) } } as never)
  return { clock, source, view, reports, addPod, addNode }
}

test('a healthy view has every change at once, with the source\'s objects', () => {
  const { source, view, addPod } = setup()
  addPod('a')
  assert.is(view.pods.get('default/a'), source.pods.get('default/a'))
  assert.is(view.pods.rev, 1)
})

test('a stale view: every resource lags; the backlog arrives in order when the lag ends', () => {
  const { clock, view, addPod, addNode } = setup()
  view.setLag(['pods', 'nodes', 'replicasets'], 5_000)
  addPod('a')
  addNode('n1')
  assert.is(view.pods.get('default/a'), undefined)
  assert.is(view.backlog, 2)
  clock.advance(5_000)
  assert.ok(view.pods.get('default/a'))
  assert.ok(view.nodes.get('n1'))
  view.setLag(['pods'], 60_000)
  addPod('b')
  addPod('c')
  view.setLag(['pods'], 0)
  assert.equal(view.pods.list().map((p) => p.metadata?.name), ['a', 'b', 'c'])
})

test('a partial view: pods behind while nodes are current', () => {
  const { clock, view, addPod, addNode } = setup()
  view.setLag(['pods'], 10_000)
  addPod('a')
  addNode('n1')
  assert.ok(view.nodes.get('n1'))
  assert.is(view.pods.get('default/a'), undefined)
  clock.advance(10_000)
  assert.ok(view.pods.get('default/a'))
})

test('a view cut off gets nothing until resumed, then catches up in order', () => {
  const { view, reports, addPod } = setup()
  view.pause()
  addPod('a')
  addPod('b')
  assert.is(view.pods.size, 0)
  view.resume()
  assert.is(view.pods.size, 2)
  assert.equal(reports.map((r) => r.split(' ').slice(0, 3).join(' ')), ['scheduler pods 1', 'scheduler pods 2'])
})

test('two views fed the same changes report the same hashes', () => {
  const clock = new VirtualClock(0)
  const source = new ClusterStore()
  const seen = new Map<string, string[]>()
  const hook = { projection: (p: string, _r: string, rev: number, hash: number) => seen.set(p, [...(seen.get(p) ?? []), `${rev}:${hash}`]) }
  const a = new ProcessView('a', source, clock, hook)
  const b = new ProcessView('b', source, clock, hook)
  b.setLag(['pods'], 1_000)
  for (let i = 1; i <= 3; i++) source.apply({ rev: i, subject: logSubject('pods', 'default', `p${i}`), event: { type: 'PodCreated', v: 1, at: 0, by: 't', data: { object: pod(`p${i}`) } } })
  source.apply({ rev: 4, subject: logSubject('pods', 'default', 'p1'), event: { type: 'PodDeleted', v: 1, at: 0, by: 't', data: {} } })
  clock.advance(1_000)
  assert.equal(seen.get('a'), seen.get('b'))
  assert.is(new Set(seen.get('a')!.map((x) => x.split(':')[1])).size, 4, 'every change changed the hash')
  assert.is(a.hash('pods'), b.hash('pods'))
})

test.run()
