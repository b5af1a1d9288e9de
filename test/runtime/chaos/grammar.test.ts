import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { describeFault, faultWords, parseFault } from '../../../runtime/chaos/grammar.js'
import { isChaosError } from '../../../runtime/chaos/errors.js'

const p = (line: string) => parseFault(faultWords(line))

test('every fault of `kstate chaos` parses from its words', () => {
  assert.equal(p('kill node node-2 --restart-after 5s'), { fault: { kind: 'kill-node', node: 'node-2', restartAfterMs: 5000 } })
  assert.equal(p('kill control-plane'), { fault: { kind: 'kill-control-plane' } })
  assert.equal(p('restart nats'), { fault: { kind: 'restart-nats', downMs: 1000 } })
  assert.equal(p('restart nats --down 3s'), { fault: { kind: 'restart-nats', downMs: 3000 } })
  assert.equal(p('partition node-1,node-2 --from control-plane --for 10s'), { fault: { kind: 'partition', a: ['node-1', 'node-2'], from: ['control-plane'], oneWay: false }, forMs: 10_000 })
  assert.equal(p('partition node-1 --from node-2 --one-way'), { fault: { kind: 'partition', a: ['node-1'], from: ['node-2'], oneWay: true } })
  assert.equal(p('delay kstate.api.request 200ms±50ms --process node-1'), { fault: { kind: 'delay', subject: 'kstate.api.request', ms: 200, jitterMs: 50, scope: { process: 'node-1' } } })
  assert.equal(p('delay kstate.log.> 1s'), { fault: { kind: 'delay', subject: 'kstate.log.>', ms: 1000, jitterMs: 0 } })
  assert.equal(p('drop kstate.api.request 10% --actor api-server'), { fault: { kind: 'drop', subject: 'kstate.api.request', probability: 0.1, scope: { actor: 'api-server' } } })
  assert.equal(p('duplicate kstate.api.request 50%'), { fault: { kind: 'duplicate', subject: 'kstate.api.request', probability: 0.5 } })
  assert.equal(p('reorder kstate.log.>'), { fault: { kind: 'reorder', subject: 'kstate.log.>', windowMs: 100 } })
  assert.equal(p('pause kubelet/node-1 --for 2s'), { fault: { kind: 'pause', actor: 'kubelet/node-1' }, forMs: 2000 })
  assert.equal(p('skew-clock node-3 +30s'), { fault: { kind: 'skew-clock', node: 'node-3', offsetMs: 30_000 } })
  assert.equal(p('skew-clock node-3 -1m'), { fault: { kind: 'skew-clock', node: 'node-3', offsetMs: -60_000 } })
})

test('bad faults are one clear error each', () => {
  const cases: [string, RegExp][] = [
    ['explode node-1', /unknown fault "explode"/],
    ['kill node', /usage: kill node NAME/],
    ['kill scheduler', /usage: kill node NAME \| kill control-plane/],
    ['drop kstate.api.request 150%', /percentage between 0% and 100%/],
    ['drop kstate.api.request ten', /percentage/],
    ['partition node-1', /--from: expected process names/],
    ['delay x 2 parsecs', /usage: delay SUBJECT/],
    ['delay x soon', /invalid duration "soon"/],
    ['pause a --colour red', /unknown flag --colour/],
    ['kill node n --for', /--for needs a value/],
  ]
  for (const [line, re] of cases) {
    try {
      p(line)
      assert.unreachable(line)
    } catch (e) {
      assert.ok(isChaosError(e, 'CHAOS_BAD_FAULT'), `${line}: ${(e as Error).message}`)
      assert.match((e as Error).message, re, line)
    }
  }
})

test('a fault is described in the words that inject it (kstate chaos ls)', () => {
  for (const line of [
    'kill node node-2 --restart-after 5s',
    'kill control-plane',
    'restart nats --down 2s',
    'partition node-1,node-2 --from control-plane --one-way',
    'delay kstate.api.request 200ms±50ms --process node-1',
    'drop kstate.log.> 10% --actor kubelet/node-1',
    'duplicate kstate.api.request 50%',
    'reorder kstate.log.> 100ms',
    'pause api-server',
    'skew-clock node-3 -30s',
  ]) {
    assert.is(describeFault(p(line).fault), line)
    assert.equal(p(describeFault(p(line).fault)), p(line))
  }
})

test('scenario lines keep quoted words together', () => {
  assert.equal(faultWords(`delay "kstate.log.>" 1s`), ['delay', 'kstate.log.>', '1s'])
})

test.run()
