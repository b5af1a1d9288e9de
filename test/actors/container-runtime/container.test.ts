import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor } from 'xstate'
import { containerMachine, exitResult, type ContainerEmitted, type SpawnSpec } from '../../../actors/container-runtime/container.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'

const spec: SpawnSpec = {
  name: 'app',
  image: 'busybox',
  command: ['sleep'],
  args: ['3600'],
  env: [{ name: 'A', value: '1' }],
  workingDir: '/tmp',
  logPath: '/tmp/app.log',
  pod: { name: 'p', namespace: 'default', uid: 'u1', nodeName: 'n1', podIP: '10.0.0.1', hostIP: '10.0.0.1', hostname: 'p' },
}

function start(backOffMs = 0) {
  const clock = new VirtualClock(1_000_000)
  const out: ContainerEmitted[] = []
  const actor = createActor(containerMachine, { clock, input: { containerId: 'c1', spec, backOffMs, at: clock.now() } })
  actor.on('*', (e) => out.push(e))
  actor.start()
  return { clock, out, actor, types: () => out.map((e) => (e.type === 'Signal' ? `Signal:${e.signal}` : e.type)) }
}

test('spawns at once with the spec, runs, and exits 0 as Completed', () => {
  const { clock, out, actor, types } = start()
  assert.equal(out[0], { type: 'Spawn', containerId: 'c1', ...spec })
  actor.send({ type: 'STARTED', pid: 42, at: clock.now() })
  assert.is(actor.getSnapshot().value, 'running')
  actor.send({ type: 'EXITED', exitCode: 0, signal: null, at: clock.now() + 5000 })
  assert.is(actor.getSnapshot().status, 'done')
  assert.equal(actor.getSnapshot().output, { outcome: 'exited', exitCode: 0, signal: null, reason: 'Completed', startedAt: 1_000_000, finishedAt: 1_005_000 })
  assert.equal(types(), ['Spawn', 'Running', 'Exited'])
})

test('a non-zero exit is Error; death by signal is 128 + signal number', () => {
  assert.is(exitResult(3, null, 0, 1).reason, 'Error')
  assert.is(exitResult(null, 'SIGKILL', 0, 1).exitCode, 137)
  assert.is(exitResult(null, 'SIGTERM', 0, 1).exitCode, 143)
  assert.is(exitResult(null, 'SIGSEGV', 0, 1).reason, 'Error')
})

test('a spawn failure ends the attempt with StartError, exit code 128 and the message', () => {
  const { clock, actor } = start()
  actor.send({ type: 'SPAWN_FAILED', message: 'exec: "nope": executable file not found in $PATH', at: clock.now() })
  assert.equal(actor.getSnapshot().output, { outcome: 'startFailed', exitCode: 128, reason: 'StartError', message: 'exec: "nope": executable file not found in $PATH', finishedAt: clock.now() })
})

test('STOP sends SIGTERM, then SIGKILL exactly when the grace period ends', () => {
  const { clock, actor, types } = start()
  actor.send({ type: 'STARTED', pid: 42, at: clock.now() })
  actor.send({ type: 'STOP', gracePeriodSeconds: 30, at: clock.now() })
  assert.equal(types(), ['Spawn', 'Running', 'Signal:SIGTERM'])
  clock.advance(29_999)
  assert.equal(types(), ['Spawn', 'Running', 'Signal:SIGTERM'])
  clock.advance(1)
  assert.equal(types(), ['Spawn', 'Running', 'Signal:SIGTERM', 'Signal:SIGKILL'])
  actor.send({ type: 'EXITED', exitCode: null, signal: 'SIGKILL', at: clock.now() })
  assert.equal(actor.getSnapshot().output, { outcome: 'exited', exitCode: 137, signal: 'SIGKILL', reason: 'Error', startedAt: 1_000_000, finishedAt: 1_030_000 })
})

test('no SIGKILL when the process exits within the grace period', () => {
  const { clock, actor, types } = start()
  actor.send({ type: 'STARTED', pid: 42, at: clock.now() })
  actor.send({ type: 'STOP', gracePeriodSeconds: 30, at: clock.now() })
  clock.advance(1000)
  actor.send({ type: 'EXITED', exitCode: 0, signal: null, at: clock.now() })
  clock.advance(60_000)
  assert.equal(types(), ['Spawn', 'Running', 'Signal:SIGTERM', 'Exited'])
  assert.is(clock.pending, 0)
})

test('grace 0 kills at once; a shorter second STOP brings SIGKILL forward', () => {
  const a = start()
  a.actor.send({ type: 'STARTED', pid: 1, at: a.clock.now() })
  a.actor.send({ type: 'STOP', gracePeriodSeconds: 0, at: a.clock.now() })
  assert.equal(a.types(), ['Spawn', 'Running', 'Signal:SIGKILL'])

  const b = start()
  b.actor.send({ type: 'STARTED', pid: 1, at: b.clock.now() })
  b.actor.send({ type: 'STOP', gracePeriodSeconds: 30, at: b.clock.now() })
  b.clock.advance(5000)
  b.actor.send({ type: 'STOP', gracePeriodSeconds: 2, at: b.clock.now() })
  b.clock.advance(1999)
  assert.equal(b.types(), ['Spawn', 'Running', 'Signal:SIGTERM'])
  b.clock.advance(1)
  assert.equal(b.types(), ['Spawn', 'Running', 'Signal:SIGTERM', 'Signal:SIGKILL'])
  // A longer grace never extends the deadline.
  const c = start()
  c.actor.send({ type: 'STOP', gracePeriodSeconds: 10, at: c.clock.now() })
  c.actor.send({ type: 'STOP', gracePeriodSeconds: 60, at: c.clock.now() })
  c.clock.advance(10_000)
  assert.equal(c.types(), ['Spawn', 'Signal:SIGTERM', 'Signal:SIGKILL'])
})

test('with a back-off the spawn waits; STOP during the wait cancels without a process', () => {
  const { clock, types } = start(20_000)
  assert.equal(types(), [])
  clock.advance(19_999)
  assert.equal(types(), [])
  clock.advance(1)
  assert.equal(types(), ['Spawn'])

  const b = start(20_000)
  b.clock.advance(5000)
  b.actor.send({ type: 'STOP', gracePeriodSeconds: 30, at: b.clock.now() })
  assert.equal(b.actor.getSnapshot().output, { outcome: 'cancelled', finishedAt: 1_005_000 })
  b.clock.advance(60_000)
  assert.equal(b.types(), ['Exited'])
})

test.run()
