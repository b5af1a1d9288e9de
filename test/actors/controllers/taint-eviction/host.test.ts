import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { failureStatus, type ApiRequest, type ApiResponse, type LogEvent, type RequestContext } from '../../../../events/index.js'
import { VirtualClock } from '../../../../runtime/clock/virtual-clock.js'
import { startTaintEvictionController, TAINT_EVICTION_USER } from '../../../../runtime/controllers/taint-eviction-host.js'
import { logger, setLogSink } from '../../../../runtime/log.js'
import { NOT_READY, SECOND, START, node, pod, rfc3339 } from './harness.js'
import { FakeInformer } from '../../../support/fake-informer.js'


const tainted = (taint: Taint): LogEvent => ({ type: 'NodeTainted', v: 1, at: START, by: 'system:node-controller', cause: 1, data: { taint } })

function setup(answer: (r: ApiRequest) => ApiResponse | Promise<ApiResponse> = () => ({ ok: true, code: 200, object: {}, rev: 1 })) {
  const log = { rev: 0 }
  const pods = new FakeInformer<Pod>(true, log)
  const nodes = new FakeInformer<Node>(false, log)
  const clock = new VirtualClock(START)
  const requests: { request: ApiRequest; context?: Partial<RequestContext> }[] = []
  const lines: string[] = []
  setLogSink((l) => lines.push(l))
  const api = {
    request: async (request: ApiRequest, context?: Partial<RequestContext>) => {
      requests.push({ request, context })
      return answer(request)
    },
  }
  return { pods, nodes, clock, requests, lines, api, log: logger('control-plane') }
}

const flush = () => new Promise<void>((r) => setImmediate(r))
const notReady: Taint = { key: NOT_READY, effect: 'NoExecute', timeAdded: rfc3339(START) }
const evictRequest = (name: string): ApiRequest => ({
  verb: 'evict',
  resource: 'pods',
  namespace: 'default',
  name,
  uid: `uid-${name}`,
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
})

test('evicts through the api as system:taint-eviction-controller, the NodeTainted revision as cause, one log line', async () => {
  const s = setup()
  s.nodes.put(node('n1'))
  s.pods.put(pod('web', { node: 'n1', tolerations: [] }))
  s.pods.put(pod('tolerant', { node: 'n1' }))
  const host = startTaintEvictionController(s)
  s.nodes.put(node('n1', [{ key: 'other', effect: 'NoSchedule' }])) // a change of another kind first
  const rev = s.nodes.put(node('n1', [{ key: 'other', effect: 'NoSchedule' }, notReady]), tainted(notReady))
  s.nodes.put(node('n1', [{ key: 'other', effect: 'NoSchedule' }, notReady])) // a later change (status) does not move the cause
  await flush()
  assert.equal(s.requests, [{ request: evictRequest('web'), context: { user: TAINT_EVICTION_USER, cause: rev } }])
  const evicted = s.lines.filter((l) => l.includes(' evicted '))
  assert.is(evicted.length, 1)
  assert.match(evicted[0], /INFO  control-plane\/taint-eviction-controller evicted pod=default\/web node=n1 taint=node.kubernetes.io\/not-ready:NoExecute cause=\d+/)
  // The tolerating pod leaves after its 300 s.
  s.clock.advanceTo(START + 299 * SECOND)
  await flush()
  assert.is(s.requests.length, 1)
  s.clock.advanceTo(START + 300 * SECOND)
  await flush()
  assert.equal(s.requests.slice(1), [{ request: evictRequest('tolerant'), context: { user: TAINT_EVICTION_USER, cause: rev } }])
  host.stop()
})

test('a retryable failure is retried after a backoff; 404 drops it', async () => {
  let answers: ApiResponse[] = [
    { ok: false, status: failureStatus('ServiceUnavailable', 'try later') },
    { ok: false, status: failureStatus('NotFound', 'pods "web" not found') },
  ]
  const s = setup(() => answers.shift() ?? { ok: true, code: 200, object: {}, rev: 1 })
  s.nodes.put(node('n1'))
  s.pods.put(pod('web', { node: 'n1', tolerations: [] }))
  const host = startTaintEvictionController(s)
  s.nodes.put(node('n1', [notReady]), tainted(notReady))
  await flush()
  assert.is(s.requests.length, 1)
  s.clock.advance(999)
  await flush()
  assert.is(s.requests.length, 1)
  s.clock.advance(1)
  await flush()
  assert.is(s.requests.length, 2)
  s.clock.advance(3600 * SECOND)
  await flush()
  assert.is(s.requests.length, 2, 'a 404 is not retried')
  assert.is(s.lines.filter((l) => l.includes('eviction refused')).length, 2)
  answers = []
  host.stop()
})

test('a client that throws is retried; stop() ends the subscriptions', async () => {
  let fail = true
  const s = setup(() => {
    if (fail) throw new Error('connection reset')
    return { ok: true, code: 200, object: {}, rev: 1 }
  })
  s.nodes.put(node('n1', [notReady]), tainted(notReady))
  const host = startTaintEvictionController(s)
  s.pods.put(pod('web', { node: 'n1', tolerations: [] }))
  await flush()
  assert.is(s.requests.length, 1)
  fail = false
  s.clock.advance(SECOND)
  await flush()
  assert.is(s.requests.length, 2)
  assert.is(s.lines.filter((l) => l.includes(' evicted ')).length, 1)
  host.stop()
  s.pods.put(pod('late', { node: 'n1', tolerations: [] }))
  await flush()
  assert.is(s.requests.length, 2)
})

test.run()
