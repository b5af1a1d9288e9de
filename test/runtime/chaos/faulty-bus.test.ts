import type { Msg, MsgCallback, NatsConnection } from '@nats-io/transport-node'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { FaultSpec } from '../../../events/index.js'
import { busOf, faultyConnection } from '../../../runtime/bus/faulty-connection.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'

/** A NatsConnection that records what is sent and lets the test deliver messages. */
function fakeNats() {
  const sent: string[] = []
  const callbacks = new Map<string, MsgCallback<Msg>>()
  const nc = {
    publish: (subject: string) => void sent.push(`pub ${subject}`),
    request: (subject: string) => {
      sent.push(`req ${subject}`)
      return subject === 'kstate.chaos.sync' ? Promise.reject(new Error('no responders')) : Promise.resolve({ subject, data: new Uint8Array() } as unknown as Msg)
    },
    subscribe: (subject: string, opts: { callback: MsgCallback<Msg> }) => {
      callbacks.set(subject, opts.callback)
      return { unsubscribe() {} }
    },
    status: () => (async function* () {})(),
  } as unknown as NatsConnection
  const deliver = (sub: string, subject: string, data = subject) => callbacks.get(sub)!(null, { subject, data: new TextEncoder().encode(data), reply: '$JS.ACK.x' } as unknown as Msg)
  return { nc, sent, deliver }
}

function setup(process: string, random = () => 0) {
  const clock = new VirtualClock(1_000)
  const f = fakeNats()
  const bus = faultyConnection(f.nc, process, { clock, random })
  let version = 0
  const faults = (...specs: FaultSpec[]) => busOf(bus)!.table.set({ version: ++version, faults: specs.map((fault, i) => ({ id: `f${i}`, fault, since: 0 })) })
  const got: string[] = []
  bus.subscribe('_INBOX.pull', { callback: (_e, m) => void got.push(new TextDecoder().decode(m.data)) })
  return { clock, bus, faults, got, ...f }
}

test('with no faults every call goes straight through', async () => {
  const s = setup('node-1')
  s.bus.publish('kstate.kubelet.node-2.logs', new Uint8Array())
  await s.bus.request('kstate.api.request', new Uint8Array())
  s.deliver('_INBOX.pull', 'kstate.log.pods.default.a')
  assert.equal(s.sent.filter((x) => !x.includes('chaos')), ['pub kstate.kubelet.node-2.logs', 'req kstate.api.request'])
  assert.equal(s.got, ['kstate.log.pods.default.a'])
})

test('a partitioned request times out after its timeout, as a lost message does', async () => {
  const s = setup('node-1')
  s.faults({ kind: 'partition', a: ['node-1'], from: ['control-plane'], oneWay: false })
  let outcome = ''
  s.bus.request('kstate.api.request', new Uint8Array(), { timeout: 2_000 }).then(
    () => (outcome = 'answered'),
    (e) => (outcome = (e as Error).name),
  )
  await Promise.resolve()
  s.clock.advance(1_999)
  await new Promise((r) => setImmediate(r))
  assert.is(outcome, '')
  s.clock.advance(1)
  await new Promise((r) => setImmediate(r))
  assert.is(outcome, 'TimeoutError')
  assert.not.ok(s.sent.includes('req kstate.api.request'), 'never sent')
})

test('the log is held during a partition and delivered in order when it heals', () => {
  const s = setup('node-1')
  s.deliver('_INBOX.pull', 'kstate.log.pods.default.a')
  s.faults({ kind: 'partition', a: ['node-1'], from: ['control-plane'], oneWay: false })
  s.deliver('_INBOX.pull', 'kstate.log.pods.default.b')
  s.deliver('_INBOX.pull', 'kstate.log.pods.default.c')
  s.clock.advance(60_000)
  assert.equal(s.got, ['kstate.log.pods.default.a'])
  s.faults()
  assert.equal(s.got, ['kstate.log.pods.default.a', 'kstate.log.pods.default.b', 'kstate.log.pods.default.c'])
})

test('a paused actor keeps its mailbox: input waits and arrives in order on resume', () => {
  const s = setup('node-1')
  s.faults({ kind: 'pause', actor: 'kubelet/node-1' })
  s.deliver('_INBOX.pull', 'kstate.log.pods.default.a')
  s.deliver('_INBOX.pull', 'kstate.log.pods.default.b')
  assert.equal(s.got, [])
  s.faults()
  assert.equal(s.got, ['kstate.log.pods.default.a', 'kstate.log.pods.default.b'])
})

test('delays keep a subscription\'s order; a dropped stream delivery arrives late, never lost', () => {
  let r = 0
  const s = setup('node-1', () => [1, 0][r++ % 2])
  s.faults({ kind: 'delay', subject: 'kstate.log.>', ms: 100, jitterMs: 50 })
  s.deliver('_INBOX.pull', 'kstate.log.pods.default.a') // 150 ms
  s.deliver('_INBOX.pull', 'kstate.log.pods.default.b') // 50 ms, but behind a
  s.clock.advance(60)
  assert.equal(s.got, [])
  s.clock.advance(90)
  assert.equal(s.got, ['kstate.log.pods.default.a', 'kstate.log.pods.default.b'])
  const d = setup('node-1', () => 0)
  d.faults({ kind: 'drop', subject: 'kstate.log.>', probability: 1 })
  d.deliver('_INBOX.pull', 'kstate.log.pods.default.a')
  assert.equal(d.got, [])
  d.clock.advance(1_000)
  assert.equal(d.got, ['kstate.log.pods.default.a'])
})

test('core publishes are dropped, delayed or doubled where they are sent', () => {
  const s = setup('node-1', () => 0)
  s.faults({ kind: 'duplicate', subject: 'kstate.kubelet.>', probability: 1 })
  s.bus.publish('kstate.kubelet.node-2.logs')
  assert.is(s.sent.filter((x) => x === 'pub kstate.kubelet.node-2.logs').length, 2)
  s.faults({ kind: 'drop', subject: 'kstate.kubelet.>', probability: 1, scope: { process: 'node-1' } })
  s.bus.publish('kstate.kubelet.node-2.logs')
  assert.is(s.sent.filter((x) => x === 'pub kstate.kubelet.node-2.logs').length, 2)
  s.faults({ kind: 'delay', subject: 'kstate.kubelet.>', ms: 300, jitterMs: 0 })
  s.bus.publish('kstate.kubelet.node-2.logs')
  s.clock.advance(299)
  assert.is(s.sent.filter((x) => x === 'pub kstate.kubelet.node-2.logs').length, 2)
  s.clock.advance(1)
  assert.is(s.sent.filter((x) => x === 'pub kstate.kubelet.node-2.logs').length, 3)
})

test('chaos control traffic is never faulted', () => {
  const s = setup('node-1', () => 0)
  s.faults({ kind: 'drop', subject: '>', probability: 1 })
  s.bus.publish('kstate.chaos.sync')
  assert.ok(s.sent.includes('pub kstate.chaos.sync'))
})

test.run()
