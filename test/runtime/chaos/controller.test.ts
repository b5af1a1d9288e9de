import type { NatsConnection } from '@nats-io/transport-node'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decode, type FaultEvent, type FaultTableMessage } from '../../../events/index.js'
import { ChaosController, type ChaosTargets } from '../../../runtime/chaos/controller.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'
import { logger, setLogSink } from '../../../runtime/log.js'

setLogSink(() => {})
const TOKEN = 'admin-token'

function setup(o: { supervised?: boolean } = {}) {
  const clock = new VirtualClock(1_000)
  const calls: string[] = []
  const log: FaultEvent[] = []
  const tables: FaultTableMessage[] = []
  const nc = { publish: (_s: string, data: Uint8Array) => void tables.push(decode<FaultTableMessage>(data)), subscribe: () => ({ unsubscribe() {} }) } as unknown as NatsConnection
  const targets: ChaosTargets = {
    killable: () => (o.supervised === false ? [] : ['control-plane', 'node-1', 'node-2']),
    kill: async (p) => void calls.push(`kill ${p}`),
    restart: async (p) => void calls.push(`restart ${p}`),
    restartNats: async (ms) => void calls.push(`restart nats after ${ms}`),
    processes: () => ['control-plane', 'node-1', 'node-2'],
  }
  const recorder = {
    injected: async (e: FaultEvent) => (log.push(e), log.length),
    cleared: async (e: FaultEvent) => (log.push(e), log.length),
    stop() {},
  }
  const controller = new ChaosController({ nc, adminToken: TOKEN, targets, clock, log: logger('chaos'), recorder })
  return { clock, calls, log, tables, controller }
}
const settle = () => new Promise((r) => setImmediate(r))

test('only the admin token controls chaos', async () => {
  const { controller, log } = setup()
  const r = await controller.handle({ op: 'inject', token: 'guess', fault: { kind: 'pause', actor: 'api-server' } })
  assert.equal(r, { ok: false, code: 'CHAOS_UNAUTHORIZED', message: 'chaos control needs the cluster admin token' })
  assert.equal(log, [])
})

test('a kill is recorded first, then performed; clearing restarts the process and records it', async () => {
  const { controller, calls, log } = setup()
  const r = await controller.handle({ op: 'inject', token: TOKEN, fault: { kind: 'kill-node', node: 'node-2' }, by: 'alice' })
  assert.ok(r.ok)
  const id = r.ok ? r.id! : ''
  assert.match(id, /^kill-node-[0-9a-f]{6}$/)
  assert.equal(calls, ['kill node-2'])
  assert.equal(log.map((e) => [e.type, e.by, e.data.id]), [['FaultInjected', 'alice', id]])
  assert.equal((await controller.handle({ op: 'list', token: TOKEN })).ok && controller.list().map((f) => f.id), [id])
  const again = await controller.handle({ op: 'inject', token: TOKEN, fault: { kind: 'kill-node', node: 'node-2' } })
  assert.equal(again.ok ? '' : again.message, 'node-2 is already killed')
  await controller.handle({ op: 'clear', token: TOKEN, id })
  assert.equal(calls, ['kill node-2', 'restart node-2'])
  assert.equal(log.map((e) => e.type), ['FaultInjected', 'FaultCleared'])
  assert.equal(controller.list(), [])
})

test('--for and --restart-after end a fault by themselves on the clock', async () => {
  const { controller, clock, calls, log, tables } = setup()
  await controller.handle({ op: 'inject', token: TOKEN, fault: { kind: 'partition', a: ['node-1'], from: ['control-plane'], oneWay: false }, forMs: 5_000 })
  await controller.handle({ op: 'inject', token: TOKEN, fault: { kind: 'kill-control-plane', restartAfterMs: 3_000 } })
  assert.is(tables.at(-1)!.faults.length, 2, 'the table went out')
  clock.advance(3_000)
  await settle()
  assert.equal(calls, ['kill control-plane', 'restart control-plane'])
  clock.advance(2_000)
  await settle()
  assert.equal(log.map((e) => (e.type === 'FaultCleared' ? e.data.reason : e.type)), ['FaultInjected', 'FaultInjected', 'restart-after elapsed', 'duration elapsed'])
  assert.equal(tables.at(-1)!.faults, [])
})

test('heal clears partitions only; a retried request injects once', async () => {
  const { controller } = setup()
  await controller.handle({ op: 'inject', token: TOKEN, fault: { kind: 'partition', a: ['node-1'], from: ['node-2'], oneWay: true } })
  const first = await controller.handle({ op: 'inject', token: TOKEN, fault: { kind: 'pause', actor: 'api-server' }, requestId: 'r1' })
  const retry = await controller.handle({ op: 'inject', token: TOKEN, fault: { kind: 'pause', actor: 'api-server' }, requestId: 'r1' })
  assert.is(first.ok && first.id, retry.ok && retry.id)
  const healed = await controller.handle({ op: 'heal', token: TOKEN })
  assert.is(healed.ok && healed.cleared!.length, 1)
  assert.equal(controller.list().map((f) => f.fault.kind), ['pause'])
})

test('what cannot be done is refused with a reason', async () => {
  const { controller } = setup({ supervised: false })
  const refuse = async (fault: Parameters<ChaosController['inject']>[0]) => {
    const r = await controller.handle({ op: 'inject', token: TOKEN, fault })
    return r.ok ? 'accepted' : `${r.code}: ${r.message}`
  }
  assert.is(await refuse({ kind: 'kill-node', node: 'node-1' }), 'CHAOS_NOT_SUPERVISED: kills need OS processes: start the cluster with `kstate up --processes`')
  assert.match(await refuse({ kind: 'partition', a: ['node-9'], from: ['control-plane'], oneWay: false }), 'CHAOS_UNKNOWN_TARGET: no process node-9')
  assert.match(await refuse({ kind: 'pause', actor: 'no-such-actor' }), 'CHAOS_UNKNOWN_TARGET: no actor no-such-actor')
  assert.match(await refuse({ kind: 'skew-clock', node: 'node-7', offsetMs: 1 }), 'CHAOS_UNKNOWN_TARGET')
  const r = await controller.handle({ op: 'clear', token: TOKEN, id: 'nope' })
  assert.is(r.ok ? '' : r.code, 'CHAOS_UNKNOWN_FAULT')
})

test.run()
