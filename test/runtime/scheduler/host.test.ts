import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { failureStatus, type ApiRequest, type ApiResponse, type RequestContext } from '../../../events/index.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'
import { logger, setLogSink } from '../../../runtime/log.js'
import { startScheduler } from '../../../runtime/scheduler/host.js'
import { lookup } from '../../../actors/scheduler/scheduler.js'
import { node, pod } from '../../actors/scheduler/builders.js'
import { FakeInformer } from '../../support/fake-informer.js'


function setup(answer: (r: ApiRequest) => ApiResponse | Promise<ApiResponse> = () => ({ ok: true, code: 201, object: {}, rev: 1 })) {
  const log = { rev: 0 }
  const pods = new FakeInformer<Pod>(true, log)
  const nodes = new FakeInformer<Node>(false, log)
  const clock = new VirtualClock(Date.parse('2024-05-01T00:00:00Z'))
  const requests: { request: ApiRequest; context?: Partial<RequestContext> }[] = []
  const lines: string[] = []
  setLogSink((l) => lines.push(l))
  const api = {
    request: async (request: ApiRequest, context?: Partial<RequestContext>) => {
      requests.push({ request, context })
      return answer(request)
    },
  }
  return { pods, nodes, clock, requests, lines, api, log: logger('scheduler') }
}

const flush = () => new Promise<void>((r) => setImmediate(r))
const binds = (rs: { request: ApiRequest }[]) => rs.filter((r) => r.request.verb === 'bind')

test('binds a pending pod through the api as system:kube-scheduler, with the cause, and logs one line', async () => {
  const s = setup()
  s.nodes.put(node('n1'))
  const host = startScheduler(s)
  s.pods.put(pod('web', { cpu: '100m' }))
  await flush()
  assert.equal(s.requests, [
    {
      request: { verb: 'bind', resource: 'pods', namespace: 'default', name: 'web', nodeName: 'n1', uid: 'uid-web' },
      context: { user: 'system:kube-scheduler', cause: 2 },
    },
  ])
  assert.equal(s.lines.filter((l) => l.includes('bound')).map((l) => l.replace(/^\S+ /, '')), ['INFO  scheduler bound pod=default/web node=n1'])
  assert.equal(lookup(host.actor.getSnapshot().context.pending, 'default/web')?.attempts, 0)
  host.stop()
})

test('pods and nodes that exist at start are scheduled (initial list, nodes first)', async () => {
  const s = setup()
  s.pods.put(pod('early'))
  s.nodes.put(node('n1'))
  const host = startScheduler(s)
  await flush()
  assert.equal(s.requests.map((r) => r.request.verb), ['bind'])
  host.stop()
})

test('PodUnschedulable becomes an updateStatus that sets PodScheduled=False and keeps the rest of the status', async () => {
  const s = setup()
  s.nodes.put(node('n1', { cpu: '1' }))
  const p: Pod = {
    ...pod('big', { cpu: '2' }),
    status: {
      phase: 'Pending',
      qosClass: 'Burstable',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'False' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' },
      ],
    },
  }
  const host = startScheduler(s)
  s.pods.put(p)
  await flush()
  assert.equal(s.requests.length, 1)
  const { request, context } = s.requests[0]
  assert.equal(request, {
    verb: 'updateStatus',
    resource: 'pods',
    namespace: 'default',
    name: 'big',
    status: {
      phase: 'Pending',
      qosClass: 'Burstable',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'False' },
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/1 nodes are available: 1 Insufficient cpu.',
          lastTransitionTime: '2024-05-01T00:00:00.000Z',
        },
      ],
    },
  })
  assert.equal(context, { user: 'system:kube-scheduler', cause: 2 })
  host.stop()
})

test('a 500 is retried after the backoff; a 409 is not', async () => {
  let answer: ApiResponse = { ok: false, status: failureStatus('InternalError', 'boom') }
  const s = setup(() => answer)
  s.nodes.put(node('n1'))
  const host = startScheduler(s)
  s.pods.put(pod('web'))
  await flush()
  assert.is(binds(s.requests).length, 1)
  s.clock.advance(999)
  await flush()
  assert.is(binds(s.requests).length, 1)
  answer = { ok: false, status: failureStatus('Conflict', 'the object has been modified') }
  s.clock.advance(1)
  await flush()
  assert.is(binds(s.requests).length, 2)
  s.clock.advance(60_000)
  await flush()
  assert.is(binds(s.requests).length, 2, 'a conflict waits for the informer')
  answer = { ok: true, code: 201, object: {}, rev: 9 }
  s.pods.put(pod('web', { cpu: '10m' }))
  await flush()
  assert.is(binds(s.requests).length, 3)
  host.stop()
})

test('a client that rejects is treated as retryable', async () => {
  let fail = true
  const s = setup(() => {
    if (fail) throw new Error('no responders')
    return { ok: true, code: 201, object: {}, rev: 3 }
  })
  s.nodes.put(node('n1'))
  const host = startScheduler(s)
  s.pods.put(pod('web'))
  await flush()
  fail = false
  s.clock.advance(1000)
  await flush()
  assert.is(binds(s.requests).length, 2)
  assert.ok(s.lines.some((l) => l.includes('bound pod=default/web node=n1')))
  host.stop()
})

test('after stop, informer changes and late answers are ignored', async () => {
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const s = setup(async () => {
    await gate
    return { ok: true, code: 201, object: {}, rev: 3 }
  })
  s.nodes.put(node('n1'))
  const host = startScheduler(s)
  s.pods.put(pod('a'))
  await Promise.resolve() // pod changes reach the machine in a batch, one microtask later
  host.stop()
  release()
  await flush()
  s.pods.put(pod('b'))
  await flush()
  assert.equal(binds(s.requests).map((r) => r.request.verb === 'bind' && r.request.name), ['a'])
  assert.is(host.actor.getSnapshot().status, 'stopped')
})

test.run()
