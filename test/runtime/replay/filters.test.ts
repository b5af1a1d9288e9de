/** `kstate events --type/--object` and reads at a revision: how arguments and query parameters are understood or refused. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isApiError } from '../../../events/index.js'
import { eventsQuery } from '../../../runtime/cli/commands/events.js'
import { eventFilterOf, readView } from '../../../runtime/gateway/history.js'
import { ClusterStore } from '../../../runtime/projections/cluster-store.js'
import { parseObjectArg } from '../../../runtime/replay/object-ref.js'

test('object arguments: kubectl\'s kind/name with -n, kstate\'s kind/namespace/name, short kinds', () => {
  assert.equal(parseObjectArg('pod/web-1', 'prod'), { resource: 'pods', namespace: 'prod', name: 'web-1' })
  assert.equal(parseObjectArg('pod/web-1'), { resource: 'pods', namespace: 'default', name: 'web-1' })
  assert.equal(parseObjectArg('pod/kube-system/dns'), { resource: 'pods', namespace: 'kube-system', name: 'dns' })
  assert.equal(parseObjectArg('po/x'), { resource: 'pods', namespace: 'default', name: 'x' })
  assert.equal(parseObjectArg('node/node-2', 'prod'), { resource: 'nodes', name: 'node-2' })
  assert.equal(parseObjectArg('rs/web'), { resource: 'replicasets', namespace: 'default', name: 'web' })
  assert.equal(parseObjectArg('replicaset/default/web'), { resource: 'replicasets', namespace: 'default', name: 'web' })
  for (const bad of ['web-1', 'svc/x', 'pod/', 'node/a/b', 'pod/a/b/c']) assert.throws(() => parseObjectArg(bad), /names no object|no namespace/, bad)
})

test('the CLI sends filters to the server in canonical form', () => {
  const q = eventsQuery({ follow: false, since: '5', until: '90', type: 'PodEvicted, PodBound', object: 'pod/web-1' }, 'prod')
  assert.is(q.toString(), 'since=5&until=90&type=PodEvicted%2CPodBound&object=pod%2Fprod%2Fweb-1')
  assert.throws(() => eventsQuery({ follow: false, since: '0' }, 'default'), /--since must be a revision/)
})

const refused = (fn: () => unknown): { code: number; message: string } => {
  try {
    fn()
  } catch (e) {
    assert.ok(isApiError(e), String(e))
    return { code: e.code, message: e.message }
  }
  throw new Error('accepted')
}

test('the server takes exact event types and object names, and refuses unknown ones with 400', () => {
  const f = eventFilterOf(new URLSearchParams('type=PodEvicted,NodeTainted&object=node/node-2'))
  assert.equal([...f.types!], ['PodEvicted', 'NodeTainted'])
  assert.equal(f.object, { resource: 'nodes', name: 'node-2' })
  assert.equal(eventFilterOf(new URLSearchParams('')), {})
  const r = refused(() => eventFilterOf(new URLSearchParams('type=PodEvicted,Evicted')))
  assert.is(r.code, 400)
  assert.match(r.message, 'unknown event type "Evicted"')
  assert.is(refused(() => eventFilterOf(new URLSearchParams('object=deployment/x'))).code, 400)
})

async function refusedAsync(p: Promise<unknown>): Promise<{ code: number; message: string; reason: string }> {
  try {
    await p
  } catch (e) {
    assert.ok(isApiError(e), String(e))
    return { code: e.code, message: e.message, reason: e.reason }
  }
  throw new Error('accepted')
}

test('resourceVersionMatch follows Kubernetes\' ListOptions rules (422), and 504 Timeout past the head', async () => {
  const live = new ClusterStore()
  live.rev = 10
  const h = {
    history: { head: () => 10, firstRev: async () => 1, storeAt: async (rev: number) => Object.assign(new ClusterStore(), { rev }) },
    waitForHead: async () => false,
    js: undefined as never,
  } as never
  assert.is(await readView(new URLSearchParams(''), live, h), live)
  assert.is(await readView(new URLSearchParams('resourceVersion=3'), live, h), live, 'resourceVersion alone: not older than')
  assert.is((await readView(new URLSearchParams('resourceVersion=3&resourceVersionMatch=Exact'), live, h)).rev, 3)
  assert.is(await readView(new URLSearchParams('resourceVersion=3&resourceVersionMatch=NotOlderThan'), live, h), live)
  for (const [q, msg] of [
    ['resourceVersionMatch=Exact', 'forbidden unless resourceVersion is provided'],
    ['resourceVersion=0&resourceVersionMatch=Exact', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
    ['resourceVersion=3&resourceVersionMatch=Exact&watch=true', 'forbidden for watch'],
    ['resourceVersion=3&resourceVersionMatch=Newest', 'Unsupported value: "Newest"'],
  ]) {
    const r = await refusedAsync(readView(new URLSearchParams(q), live, h))
    assert.is(r.code, 422, q)
    assert.match(r.message, msg)
  }
  const tooLarge = await refusedAsync(readView(new URLSearchParams('resourceVersion=11&resourceVersionMatch=Exact'), live, h))
  assert.is(tooLarge.code, 504)
  assert.is(tooLarge.reason, 'Timeout')
  assert.is(tooLarge.message, 'Timeout: Too large resource version: 11, current: 10')
})

test.run()
