/**
 * `pause ACTOR` holds the actor's mailbox: nothing it is sent — by the host or by its own `after`
 * timers — is processed while paused, nothing is lost, and resume processes it all in order.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assign, createActor, setup } from 'xstate'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'
import { heldEvents, holdMailbox } from '../../../runtime/chaos/mailbox.js'

const machine = setup({ types: { context: {} as { seen: string[] }, events: {} as { type: 'A' } | { type: 'B' } } }).createMachine({
  context: { seen: [] },
  initial: 'idle',
  states: {
    idle: { on: { A: { target: 'waiting', actions: assign({ seen: ({ context }) => [...context.seen, 'A'] }) } } },
    waiting: {
      after: { 1_000: 'done' },
      on: { B: { actions: assign({ seen: ({ context }) => [...context.seen, 'B'] }) } },
    },
    done: {},
  },
})

test('a paused actor keeps its mailbox; its timers wait too; resume replays in order', () => {
  const clock = new VirtualClock(0)
  const actor = createActor(machine, { clock }).start()
  actor.send({ type: 'A' })
  assert.is(actor.getSnapshot().value, 'waiting')
  const resume = holdMailbox(actor)
  actor.send({ type: 'B' })
  actor.send({ type: 'B' })
  clock.advance(5_000) // the `after` fires into the held mailbox
  assert.is(actor.getSnapshot().value, 'waiting', 'nothing processed while paused')
  assert.equal(actor.getSnapshot().context.seen, ['A'])
  assert.is(heldEvents(actor), 3)
  assert.is(holdMailbox(actor), resume, 'pausing twice holds once')
  resume()
  assert.equal(actor.getSnapshot().context.seen, ['A', 'B', 'B'])
  assert.is(actor.getSnapshot().value, 'done', 'the delayed event arrived after the held ones')
  assert.is(heldEvents(actor), 0)
  actor.send({ type: 'B' })
  assert.equal(actor.getSnapshot().context.seen, ['A', 'B', 'B'], 'runs normally after resume (B means nothing in done)')
  actor.stop()
})

test.run()
