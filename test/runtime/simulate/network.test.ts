/** The simulation's in-process network and the api client that crosses it. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { ApiClient } from '../../../runtime/api/client.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'
import type { Ack } from '../../../runtime/invariants/index.js'
import { API_TIMEOUT_MS, apiLink } from '../../../runtime/simulate/api-link.js'
import { SimNetwork } from '../../../runtime/simulate/network.js'
import { Rng } from '../../../runtime/simulate/random.js'

const setup = () => {
  const clock = new VirtualClock(0)
  return { clock, net: new SimNetwork(clock, Rng.stream(1, 'network')) }
}

test('without faults a message arrives at once, once', () => {
  const { net } = setup()
  const got: number[] = []
  assert.is(net.send('a', 'b', () => got.push(1)), 1)
  assert.equal(got, [1])
})

test('an isolated endpoint reaches no one until healed (two isolations need two heals)', () => {
  const { net } = setup()
  const got: string[] = []
  net.isolate('n1')
  net.isolate('n1')
  assert.is(net.send('n1', 'api-server', () => got.push('out')), 0)
  assert.is(net.send('api-server', 'n1', () => got.push('in')), 0)
  net.heal('n1')
  assert.is(net.send('n1', 'api-server', () => got.push('out')), 0)
  assert.ok(net.send('a', 'b', () => got.push('others')) === 1)
  net.heal('n1')
  net.send('n1', 'api-server', () => got.push('out'))
  assert.equal(got, ['others', 'out'])
})

test('rules drop, duplicate, delay and reorder an endpoint\'s messages, deterministically', () => {
  const run = () => {
    const { clock, net } = setup()
    net.addRule('d', 'n1', { kind: 'drop', probability: 0.3 })
    net.addRule('u', 'n1', { kind: 'duplicate', probability: 0.3 })
    net.addRule('r', 'n1', { kind: 'reorder', windowMs: 1_000 })
    const got: number[] = []
    for (let i = 0; i < 200; i++) net.send('n1', 'api-server', () => got.push(i))
    assert.is(got.length, 0, 'reordered messages wait on the clock')
    clock.advance(1_000)
    return { got, net }
  }
  const a = run()
  const b = run()
  assert.equal(a.got, b.got, 'same seed, same fate')
  assert.ok(a.net.dropped > 30 && a.net.dropped < 90, `about 30% lost (${a.net.dropped})`)
  assert.ok(a.net.duplicated > 20, `some duplicated (${a.net.duplicated})`)
  const sorted = [...a.got].sort((x, y) => x - y)
  assert.not.equal(a.got, sorted, 'later messages overtook earlier ones')
  assert.ok(new Set(a.got).size < a.got.length, 'some arrived twice')
})

test('delay: messages arrive after ms ± jitter on the virtual clock; removing the rule ends it', () => {
  const { clock, net } = setup()
  net.addRule('x', 'scheduler', { kind: 'delay', ms: 200, jitterMs: 50 })
  let at = -1
  net.send('api-server', 'scheduler', () => (at = clock.now()))
  clock.advance(149)
  assert.is(at, -1)
  clock.advance(101)
  assert.ok(at >= 150 && at <= 250, `arrived at ${at}`)
  net.removeRule('x', 'scheduler')
  let now = false
  net.send('api-server', 'scheduler', () => (now = true))
  assert.ok(now)
})

function linkFor(net: SimNetwork, clock: VirtualClock, acks: Ack[]) {
  let writes = 0
  const api: ApiClient = {
    request: async () => {
      writes++
      return { ok: true, code: 201, rev: writes, object: { metadata: { name: 'p', namespace: 'default' } } }
    },
  }
  return { link: apiLink({ net, clock, api, endpoint: 'scheduler', user: 'system:kube-scheduler', onAck: (a) => acks.push(a) }), writes: () => writes }
}

test('the api link: answers cross the network, and count as acknowledged writes', async () => {
  const { clock, net } = setup()
  const acks: Ack[] = []
  const { link } = linkFor(net, clock, acks)
  const r = await link.request({ verb: 'create', resource: 'pods', namespace: 'default', object: {} })
  assert.ok(r.ok)
  assert.equal(acks, [{ rev: 1, subject: 'kstate.log.pods.default.p', by: 'scheduler', at: 0 }])
})

test('the api link: a lost answer is a 504 after the timeout, though the write happened, and is not acknowledged', async () => {
  const { clock, net } = setup()
  const acks: Ack[] = []
  const { link, writes } = linkFor(net, clock, acks)
  net.addRule('drop', 'scheduler', { kind: 'drop', probability: 1 })
  const box: { answer?: Awaited<ReturnType<typeof link.request>> } = {}
  const answer = () => box.answer
  void link.request({ verb: 'create', resource: 'pods', namespace: 'default', object: {} }).then((r) => (box.answer = r))
  net.removeRule('drop', 'scheduler')
  await new Promise((r) => setImmediate(r))
  assert.is(box.answer, undefined)
  clock.advance(API_TIMEOUT_MS)
  await new Promise((r) => setImmediate(r))
  assert.ok(box.answer && !box.answer.ok && box.answer.status.code === 504, JSON.stringify(box.answer))
  assert.is(writes(), 0, 'dropped on the way out: nothing was written')
  assert.equal(acks, [])

  net.addRule('late', 'scheduler', { kind: 'delay', ms: 15_000, jitterMs: 0 })
  box.answer = undefined
  void link.request({ verb: 'create', resource: 'pods', namespace: 'default', object: {} }).then((r) => (box.answer = r))
  clock.advance(15_000)
  await new Promise((r) => setImmediate(r))
  assert.is(writes(), 1, 'the request arrived late and was executed')
  const late = answer()
  assert.ok(late && !late.ok && late.status.code === 504, 'but the client had given up')
  clock.advance(15_000)
  await new Promise((r) => setImmediate(r))
  assert.equal(acks, [], 'an answer after the timeout acknowledges nothing')
})

test.run()
