/**
 * The inspection observer on the virtual clock: what a small machine's life publishes (created,
 * events with their source, actions, snapshots from → to, stopped), sampling, off, switching modes
 * at run time, child actor ids, and the registry's list and get.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assign, createActor, emit, sendParent, setup, spawnChild, type AnyActorLogic } from 'xstate'
import type { InspectionMessage, InspectionMode } from '../../../events/inspect.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'
import { Inspection, inspectActor } from '../../../runtime/inspect/inspection.js'
import { followFormatter } from '../../../runtime/inspect/format.js'

const child = setup({}).createMachine({ id: 'worker', initial: 'busy', states: { busy: { on: { FINISH: 'done' } }, done: { type: 'final' } } })

const lamp = setup({
  types: { context: {} as { count: number; graceMs: number }, events: {} as { type: 'ON' } | { type: 'OFF' } | { type: 'SPAWN' } },
  delays: { grace: ({ context }) => context.graceMs },
  actors: { worker: child },
}).createMachine({
  id: 'lamp',
  context: { count: 0, graceMs: 40_000 },
  initial: 'dark',
  states: {
    dark: { on: { ON: { target: 'lit', actions: [assign({ count: ({ context }) => context.count + 1 }), emit({ type: 'Lit' })] } } },
    lit: { after: { grace: 'dark' }, on: { OFF: 'dark' } },
  },
  on: { SPAWN: { actions: assign({ count: ({ spawn }) => (spawn('worker', { id: 'w/1' }), 1) }) } },
})

function setupLamp(mode: InspectionMode = { kind: 'on' }) {
  const clock = new VirtualClock(1_000)
  const messages: InspectionMessage[] = []
  const inspection = new Inspection({ process: 'test', clock, mode, sink: (m) => messages.push(m), pid: 7 })
  const actor = createActor(lamp as AnyActorLogic, { id: 'lamp', clock })
  const observers: unknown[] = []
  const inspect = actor.system.inspect.bind(actor.system)
  actor.system.inspect = (o) => {
    observers.push(o)
    const sub = inspect(o)
    return { unsubscribe: () => (observers.splice(observers.indexOf(o), 1), sub.unsubscribe()) }
  }
  inspectActor(inspection, actor, { id: 'lamp', source: 'informer' })
  actor.start()
  return { clock, messages, inspection, actor, observers }
}
const brief = (ms: InspectionMessage[]) =>
  ms.map((m) =>
    m.kind === 'created' ? `created ${m.machine} ${JSON.stringify(m.value)}`
    : m.kind === 'event' ? `event ${m.event} (${m.source})`
    : m.kind === 'action' ? `action ${m.action}`
    : m.kind === 'snapshot' ? `snapshot ${m.from} → ${m.value} on ${m.event}`
    : 'stopped',
  )

test('a machine publishes created, its events with their source, actions and snapshots from → to', () => {
  const { clock, messages, actor } = setupLamp()
  assert.equal(brief(messages), ['created lamp "dark"'])
  clock.advance(500)
  actor.send({ type: 'ON' })
  assert.equal(brief(messages.slice(1)), ['event ON (informer)', 'action emit Lit', 'action raise xstate.after.grace.lamp.lit after 40000ms', 'snapshot dark → lit on ON'])
  assert.ok(messages.slice(1).every((m) => m.id === 'lamp' && m.at === 1_500))
  messages.length = 0
  clock.advance(40_000)
  // The `after` delay arrives from the actor itself: its source is the clock.
  assert.equal(brief(messages), ['event xstate.after.grace.lamp.lit (clock)', 'action cancel xstate.after.grace.lamp.lit', 'snapshot lit → dark on xstate.after.grace.lamp.lit'])
  assert.is(messages[0].at, 41_500)
  actor.stop()
  assert.equal(brief(messages.slice(-2)), ['snapshot dark → dark on xstate.stop', 'stopped'])
})

test('follow lines: HH:MM:SS.mmm from → to on EVENT (source), unchanged steps hidden', () => {
  const { clock, messages, actor } = setupLamp()
  actor.send({ type: 'ON' })
  actor.send({ type: 'ON' }) // no transition from lit on ON
  clock.advance(40_000)
  const lines = messages.map(followFormatter()).filter((l) => l !== undefined)
  const t = (ms: number) => new Date(ms).toTimeString().slice(0, 8) + '.' + String(ms % 1000).padStart(3, '0')
  assert.equal(lines, [`${t(1_000)} created (lamp in test) in dark`, `${t(1_000)} dark → lit on ON (informer)`, `${t(41_000)} lit → dark on xstate.after.grace.lamp.lit (clock)`])
})

test('sampled:N publishes one macrostep in N, with the true previous state as from', () => {
  const { messages, actor } = setupLamp({ kind: 'sampled', every: 2 })
  for (let i = 0; i < 3; i++) {
    actor.send({ type: 'ON' })
    actor.send({ type: 'OFF' })
  }
  const steps = messages.filter((m) => m.kind === 'snapshot').map((m) => `${(m as { from: string }).from}→${(m as { value: string }).value}`)
  // Six events: the 1st, 3rd and 5th (all ON) are published.
  assert.equal(steps, ['dark→lit', 'dark→lit', 'dark→lit'])
  assert.is(messages.filter((m) => m.kind === 'event').length, 3)
})

test('off: no observer on the system at all (XState pays nothing), yet the actor is listed; set switches it on and off', () => {
  const { messages, actor, inspection, observers } = setupLamp({ kind: 'off' })
  assert.is(observers.length, 0)
  actor.send({ type: 'ON' })
  assert.equal(messages, [])
  const [a] = inspection.list().actors
  assert.equal({ id: a.id, machine: a.machine, value: a.value, mode: a.mode, since: a.since }, { id: 'lamp', machine: 'lamp', value: 'lit', mode: 'off', since: 1_000 })
  assert.equal(inspection.set({ id: 'lamp', mode: { kind: 'on' } }), { process: 'test', changed: ['lamp'] })
  assert.is(observers.length, 1)
  actor.send({ type: 'OFF' })
  assert.equal(brief(messages), ['event OFF (informer)', 'action cancel xstate.after.grace.lamp.lit', 'snapshot lit → dark on OFF'])
  assert.equal(inspection.list().actors[0].lastEvent, 'OFF')
  inspection.set({ mode: { kind: 'off' } })
  assert.is(observers.length, 0)
})

test('children get ids under their parent, and a prefix rule reaches actors created later', () => {
  const { messages, actor, inspection } = setupLamp()
  inspection.set({ prefix: 'lamp/w', mode: { kind: 'off' } })
  actor.send({ type: 'SPAWN' })
  const ids = inspection.list().actors.map((a) => `${a.id} ${a.mode}${a.parent ? ` < ${a.parent}` : ''}`)
  assert.equal(ids, ['lamp on', 'lamp/w/1 off < lamp'])
  assert.not.ok(messages.some((m) => m.id === 'lamp/w/1'))
  inspection.set({ prefix: 'lamp', mode: { kind: 'on' } })
  ;(actor.getSnapshot().children as Record<string, { send(e: { type: string }): void }>)['w/1'].send({ type: 'FINISH' })
  const childMsgs = brief(messages.filter((m) => m.id === 'lamp/w/1'))
  assert.equal(childMsgs.slice(-2), ['snapshot busy → done on FINISH', 'stopped'])
  // A finished child leaves the registry.
  assert.equal(inspection.list().actors.map((a) => a.id), ['lamp'])
})

test('a snapshot carries the source of its own event, even when a child sent to the parent during that step', () => {
  const kid = setup({}).createMachine({ id: 'kid', entry: sendParent({ type: 'HELLO' }) })
  const parent = setup({ actors: { kid } }).createMachine({
    id: 'parent',
    initial: 'idle',
    states: { idle: { on: { START: { target: 'waiting', actions: spawnChild('kid', { id: 'k' }) } } }, waiting: { on: { HELLO: 'greeted' } }, greeted: {} },
  })
  const clock = new VirtualClock()
  const messages: InspectionMessage[] = []
  const inspection = new Inspection({ process: 'test', clock, sink: (m) => messages.push(m) })
  const actor = inspectActor(inspection, createActor(parent, { clock }), { id: 'p', source: 'informer' })
  actor.start()
  actor.send({ type: 'START' })
  const steps = messages.filter((m) => m.kind === 'snapshot' && m.id === 'p').map((m) => m.kind === 'snapshot' && `${m.from} → ${m.value} on ${m.event} (${m.source})`)
  assert.equal(steps, ['idle → waiting on START (informer)', 'waiting → greeted on HELLO (p/k)'])
})

test('get: context (JSON-safe), the machine definition and its named delays resolved', () => {
  const { inspection, actor } = setupLamp()
  actor.send({ type: 'SPAWN' })
  const a = inspection.get('lamp')!
  assert.is(a.pid, 7)
  assert.equal(a.context, { count: 1, graceMs: 40_000 })
  assert.equal(a.delays, { grace: 40_000 })
  const def = a.definition as { id: string; states: Record<string, { on?: Record<string, unknown> }> }
  assert.is(def.id, 'lamp')
  assert.equal(Object.keys(def.states), ['dark', 'lit'])
  assert.ok(JSON.stringify(def).includes('xstate.after.grace.lamp.lit'))
  assert.is(inspection.get('nobody'), undefined)
})

test('get finds an actor under the root nearest to it (a kubelet and its pod workers are separate roots)', () => {
  const clock = new VirtualClock()
  const inspection = new Inspection({ process: 'test', clock, sink: () => {} })
  const kubelet = inspectActor(inspection, createActor(lamp as AnyActorLogic, { clock }), { id: 'kubelet/n1' })
  const worker = inspectActor(inspection, createActor(lamp as AnyActorLogic, { clock }), { id: 'kubelet/n1/pod/default/web' })
  kubelet.start()
  worker.start()
  worker.send({ type: 'SPAWN' })
  assert.is(inspection.get('kubelet/n1')?.id, 'kubelet/n1')
  assert.is(inspection.get('kubelet/n1/pod/default/web')?.value, 'dark')
  assert.is(inspection.get('kubelet/n1/pod/default/web/w/1')?.machine, 'worker')
  assert.equal(inspection.list().actors.map((a) => a.id), ['kubelet/n1', 'kubelet/n1/pod/default/web', 'kubelet/n1/pod/default/web/w/1'])
})

test('without inspection (the simulation) the actor is left untouched', () => {
  const actor = createActor(lamp as AnyActorLogic)
  const inspect = actor.system.inspect
  assert.is(inspectActor(undefined, actor, { id: 'x' }), actor)
  assert.is(actor.system.inspect, inspect)
})

test.run()
