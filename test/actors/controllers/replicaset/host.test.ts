import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { Observable, Subject } from 'rxjs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { failureStatus, type ApiRequest, type ApiResponse, type RequestContext } from '../../../../events/index.js'
import { VirtualClock } from '../../../../runtime/clock/virtual-clock.js'
import { startReplicaSetController } from '../../../../runtime/controllers/replicaset-host.js'
import type { Logger } from '../../../../runtime/log.js'
import type { Informer, ObjectChange } from '../../../../runtime/projections/types.js'
import { pod, replicaSet, T0 } from './harness.js'

/** An informer over a map: the initial list, then whatever the test pushes. */
function fakeInformer<T extends { metadata?: { namespace?: string; name?: string } }>(initial: { object: T; rev: number }[] = []) {
  const objects = new Map(initial.map((o) => [`${o.object.metadata?.namespace}/${o.object.metadata?.name}`, o]))
  const live = new Subject<ObjectChange<T>>()
  const informer: Informer<T> & { push(c: ObjectChange<T>): void } = {
    get: (key) => objects.get(key)?.object,
    list: () => [...objects.values()].map((o) => o.object),
    rev: 0,
    changes$: new Observable<ObjectChange<T>>((sub) => {
      for (const o of objects.values()) sub.next({ type: 'ADDED', rev: o.rev, object: o.object })
      return live.subscribe(sub)
    }),
    push: (c) => live.next(c),
  }
  return informer
}

function fakeLog(lines: string[], id = ''): Logger {
  const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => lines.push(`${level} ${id} ${msg} ${JSON.stringify(fields ?? {})}`)
  return { id, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (sub) => fakeLog(lines, id ? `${id}/${sub}` : sub) }
}

/** Lets the host's promises settle (no time passes: the clock is virtual). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
}

function setup(answer: (req: ApiRequest) => ApiResponse) {
  const clock = new VirtualClock(T0)
  const requests: { req: ApiRequest; ctx?: Partial<RequestContext> }[] = []
  const lines: string[] = []
  const rs = replicaSet('web', 2)
  const replicaSets = fakeInformer<ReplicaSet>([{ object: rs, rev: 7 }])
  const pods = fakeInformer<Pod>()
  const host = startReplicaSetController({
    api: { request: async (req, ctx) => (requests.push({ req, ctx }), answer(req)) },
    replicaSets,
    pods,
    clock,
    log: fakeLog(lines, 'control-plane'),
    config: { retryInitialMs: 1_000 },
  })
  return { clock, requests, lines, replicaSets, pods, host }
}

let created = 0
const ok = (req: ApiRequest): ApiResponse => {
  if (req.verb === 'create') {
    const p = req.object as Pod
    return { ok: true, code: 201, object: { ...p, metadata: { ...p.metadata, name: `${p.metadata!.generateName}${++created}` } }, rev: 50 + created }
  }
  return { ok: true, code: 200, object: {}, rev: 99 }
}

test('host: the initial list is synced; creates go to the api-server as the controller, with the cause; one log line each', async () => {
  const s = setup(ok)
  s.clock.advance(0)
  await settle()
  s.clock.advance(0)
  await settle()
  const creates = s.requests.filter((r) => r.req.verb === 'create')
  assert.is(creates.length, 2)
  assert.equal(creates[0].ctx, { user: 'system:replicaset-controller', cause: 7 })
  const req = creates[0].req as Extract<ApiRequest, { verb: 'create' }>
  assert.is(req.resource, 'pods')
  assert.is(req.namespace, 'default')
  assert.equal((req.object as Pod).metadata!.ownerReferences![0].uid, 'uid-web')
  const status = s.requests.find((r) => r.req.verb === 'updateStatus')!
  assert.equal(status.req, { verb: 'updateStatus', resource: 'replicasets', namespace: 'default', name: 'web', status: { replicas: 0, observedGeneration: 1 } })
  const logged = s.lines.filter((l) => l.includes('pod created'))
  assert.is(logged.length, 2)
  assert.ok(logged.every((l) => l.startsWith('info control-plane/replicaset-controller pod created')), logged.join('\n'))
  assert.ok(s.lines.some((l) => l.includes('status updated')))
  assert.is(s.host.actor.id, 'replicaset-controller')
  s.host.stop()
})

test('host: a refused create is retried after the backoff; a throwing client counts as a refusal', async () => {
  let fail = 2
  const s = setup((req) => {
    if (req.verb === 'create' && fail-- === 2) return { ok: false, status: failureStatus('Forbidden', 'pods "web-" is forbidden: exceeded quota') }
    if (req.verb === 'create' && fail === 0) throw new Error('connection reset')
    return ok(req)
  })
  s.clock.advance(0)
  await settle()
  assert.is(s.requests.filter((r) => r.req.verb === 'create').length, 1)
  assert.ok(s.lines.some((l) => l.startsWith('warn control-plane/replicaset-controller pod create failed') && l.includes('exceeded quota')))
  const failed = s.requests.find((r) => r.req.verb === 'updateStatus')!.req as Extract<ApiRequest, { verb: 'updateStatus' }>
  assert.equal((failed.status as ReplicaSet['status'])!.conditions![0].reason, 'FailedCreate')
  s.clock.advance(999)
  await settle()
  assert.is(s.requests.filter((r) => r.req.verb === 'create').length, 1)
  s.clock.advance(1)
  await settle()
  assert.is(s.requests.filter((r) => r.req.verb === 'create').length, 2)
  assert.ok(s.lines.some((l) => l.includes('pod create failed') && l.includes('connection reset')))
  s.clock.advance(1_999) // the backoff doubled
  await settle()
  assert.is(s.requests.filter((r) => r.req.verb === 'create').length, 2)
  s.clock.advance(1)
  await settle()
  assert.is(s.requests.filter((r) => r.req.verb === 'create').length, 4) // then both, 1 and 1
  s.host.stop()
})

test('host: a deleted ReplicaSet has its pods deleted with their uid; a pod already gone is fine', async () => {
  const s = setup(ok)
  const mine = [pod('web-a', 'web'), pod('web-b', 'web')]
  for (const [i, p] of mine.entries()) s.pods.push({ type: 'ADDED', rev: 10 + i, object: p })
  s.clock.advance(0)
  await settle()
  s.requests.length = 0
  s.replicaSets.push({ type: 'DELETED', rev: 20, object: replicaSet('web', 2) })
  s.clock.advance(0)
  await settle()
  const deletes = s.requests.filter((r) => r.req.verb === 'delete')
  assert.equal(
    deletes.map((r) => [r.req, r.ctx]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    [
      [{ verb: 'delete', resource: 'pods', namespace: 'default', name: 'web-a', uid: 'uid-web-a' }, { user: 'system:replicaset-controller', cause: 20 }],
      [{ verb: 'delete', resource: 'pods', namespace: 'default', name: 'web-b', uid: 'uid-web-b' }, { user: 'system:replicaset-controller', cause: 20 }],
    ],
  )
  assert.is(s.lines.filter((l) => l.includes('pod deleted')).length, 2)
  s.host.stop()
  // After stop nothing reaches the machine.
  s.pods.push({ type: 'DELETED', rev: 30, object: mine[0] })
})

test('host: delete answered 404 is reported as gone, not retried', async () => {
  const s = setup((req) => (req.verb === 'delete' ? { ok: false, status: failureStatus('NotFound', 'pods "web-a" not found') } : ok(req)))
  s.pods.push({ type: 'ADDED', rev: 10, object: pod('web-a', 'web') })
  s.replicaSets.push({ type: 'DELETED', rev: 20, object: replicaSet('web', 2) })
  s.clock.advance(0)
  await settle()
  assert.is(s.requests.filter((r) => r.req.verb === 'delete').length, 1)
  s.clock.advance(60_000)
  await settle()
  assert.is(s.requests.filter((r) => r.req.verb === 'delete').length, 1)
  assert.ok(s.lines.some((l) => l.startsWith('info control-plane/replicaset-controller pod delete failed')))
  s.host.stop()
})

test.run()
