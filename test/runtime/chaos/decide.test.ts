import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { ActiveFault, FaultSpec } from '../../../events/index.js'
import { clockOffset, decide, PASS, type MessageContext } from '../../../runtime/bus/decide.js'
import { actorRoute, receiverOf, senderOf } from '../../../runtime/bus/peers.js'
import { subjectMatches } from '../../../runtime/bus/subject-match.js'

const table = (...faults: FaultSpec[]): ActiveFault[] => faults.map((fault, i) => ({ id: `f-${i}`, fault, since: 0 }))
const out = (process: string, subject: string, extra: Partial<MessageContext> = {}): MessageContext => ({ process, subject, peer: receiverOf(subject), direction: 'out', faultPoint: true, ...extra })
const inbound = (process: string, subject: string): MessageContext => ({ process, subject, peer: senderOf(subject, process), direction: 'in', faultPoint: subject.startsWith('kstate.log.') || subject.startsWith('$KV.') })
const never = () => 0.99
const always = () => 0

test('NATS wildcards: * one token, > the rest', () => {
  assert.ok(subjectMatches('kstate.api.request', 'kstate.api.request'))
  assert.ok(subjectMatches('kstate.log.>', 'kstate.log.pods.default.web'))
  assert.not.ok(subjectMatches('kstate.log.>', 'kstate.log'))
  assert.ok(subjectMatches('kstate.*.request', 'kstate.api.request'))
  assert.not.ok(subjectMatches('kstate.*', 'kstate.api.request'))
  assert.ok(subjectMatches('>', 'anything.at.all'))
})

test('the subject tells who is on the other end', () => {
  assert.is(receiverOf('kstate.api.request'), 'control-plane')
  assert.is(receiverOf('kstate.kubelet.node-1.logs'), 'node-1')
  assert.is(receiverOf('kstate.kubelet.web~example.logs'), 'web.example')
  assert.is(receiverOf('$KV.kstate-node-leases.node-2'), 'control-plane')
  assert.is(senderOf('kstate.log.pods.default.web', 'node-1'), 'control-plane')
  assert.is(senderOf('$KV.kstate-node-leases.node-2', 'control-plane'), 'node-2')
  assert.is(receiverOf('$JS.API.INFO'), undefined)
})

test('an empty table passes everything untouched', () => {
  assert.is(decide([], out('node-1', 'kstate.api.request'), always), PASS)
})

test('a partition drops both directions; --one-way only from the first side', () => {
  const both = table({ kind: 'partition', a: ['node-1'], from: ['control-plane'], oneWay: false })
  assert.ok(decide(both, out('node-1', 'kstate.api.request'), never).drop)
  assert.ok(decide(both, inbound('node-1', 'kstate.log.pods.default.web'), never).partitioned)
  assert.ok(decide(both, inbound('control-plane', '$KV.kstate-node-leases.node-1'), never).drop)
  assert.not.ok(decide(both, out('node-2', 'kstate.api.request'), never).drop, 'other nodes still reach the api-server')
  const oneWay = table({ kind: 'partition', a: ['node-1'], from: ['control-plane'], oneWay: true })
  assert.ok(decide(oneWay, out('node-1', 'kstate.api.request'), never).drop, 'node-1 cannot send')
  assert.not.ok(decide(oneWay, inbound('node-1', 'kstate.log.pods.default.web'), never).drop, 'but still hears the log')
})

test('drop and duplicate follow their probability; delay adds its jitter', () => {
  const f = table({ kind: 'drop', subject: 'kstate.api.request', probability: 0.1 })
  assert.ok(decide(f, out('node-1', 'kstate.api.request'), () => 0.05).drop)
  assert.not.ok(decide(f, out('node-1', 'kstate.api.request'), () => 0.5).drop)
  assert.not.ok(decide(f, out('node-1', 'kstate.kubelet.node-2.logs'), always).drop, 'other subjects pass')
  assert.is(decide(table({ kind: 'duplicate', subject: '>', probability: 0.5 }), out('n', 'a.b'), () => 0.2).copies, 1)
  const d = table({ kind: 'delay', subject: 'kstate.>', ms: 200, jitterMs: 50 })
  assert.is(decide(d, out('n', 'kstate.x'), () => 0).delayMs, 150)
  assert.is(decide(d, out('n', 'kstate.x'), () => 1).delayMs, 250)
  assert.is(decide(table({ kind: 'reorder', subject: '>', windowMs: 100 }), out('n', 'a'), () => 0.3).delayMs, 30)
})

test('message faults act only at their fault point and in their scope', () => {
  const f = table({ kind: 'drop', subject: '>', probability: 1, scope: { process: 'node-1' } })
  assert.ok(decide(f, out('node-1', 'kstate.api.request'), never).drop)
  assert.not.ok(decide(f, out('node-2', 'kstate.api.request'), never).drop)
  assert.not.ok(decide(f, out('node-1', 'kstate.api.request', { faultPoint: false }), never).drop)
  const a = table({ kind: 'delay', subject: '>', ms: 100, jitterMs: 0, scope: { actor: 'kubelet/node-1' } })
  assert.is(decide(a, inbound('node-1', 'kstate.log.pods.default.web'), never).delayMs, 100)
  assert.is(decide(a, inbound('node-2', 'kstate.log.pods.default.web'), never).delayMs, 0)
})

test('pause holds an actor\'s bus input only', () => {
  const f = table({ kind: 'pause', actor: 'api-server' })
  assert.is(decide(f, inbound('control-plane', 'kstate.api.request'), never).pausedBy, 'api-server')
  assert.is(decide(f, inbound('control-plane', 'kstate.log.pods.default.x'), never).pausedBy, undefined)
  assert.is(decide(table({ kind: 'pause', actor: 'kubelet/node-1' }), inbound('node-1', 'kstate.log.pods.default.x'), never).pausedBy, 'kubelet/node-1')
  assert.is(actorRoute('scheduler'), undefined, 'the scheduler reads its projection in process: nothing to hold on the bus')
})

test('skew-clock offsets only its node', () => {
  const f = table({ kind: 'skew-clock', node: 'node-3', offsetMs: -30_000 })
  assert.is(clockOffset(f, 'node-3'), -30_000)
  assert.is(clockOffset(f, 'node-1'), 0)
})

test.run()
