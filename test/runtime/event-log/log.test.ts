/** The event log on a real nats-server: compare-and-set appends, ordered tails, malformed frames. */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FrameErrorCode, isMalformedFrame, LOG_STREAM, logResourceFilter, logSubject, type LogEvent, type Recorded } from '../../../events/index.js'
import { appendEvent, isLogConflict } from '../../../runtime/event-log/append.js'
import { ensureLogStream } from '../../../runtime/event-log/stream.js'
import { tailLog } from '../../../runtime/event-log/tail.js'
import { ClusterStore } from '../../../runtime/projections/cluster-store.js'
import { followLog } from '../../../runtime/projections/follow.js'
import { logger, setLogLevel } from '../../../runtime/log.js'
import { connectNats } from '../../../runtime/nats/connect.js'
import { startNatsServer, type RunningNatsServer } from '../../../runtime/nats/server.js'
import { removeDir } from '../../e2e/cluster.js'

setLogLevel('warn')
const dir = mkdtempSync(join(tmpdir(), 'kstate-log-'))
let server: RunningNatsServer
let nc: NatsConnection
let js: JetStreamClient

const ev = (type: 'PodDeleted' | 'PodBound', data: object = {}): LogEvent => ({ type, v: 1, at: 1, by: 'test', data }) as LogEvent

test.before(async () => {
  server = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'pid'), passwords: { controlPlane: 'cp', node: 'n' }, log: logger('test') })
  nc = await connectNats({ url: server.url, user: 'control-plane', pass: 'cp' }, 'test')
  await ensureLogStream(await jetstreamManager(nc))
  js = jetstream(nc)
})
test.after(async () => {
  await nc.drain()
  await server.stop()
  removeDir(dir)
})

test('append expects the subject\'s last revision: 0 creates, a stale one is a conflict', async () => {
  const s = logSubject('pods', 'default', 'cas')
  const r1 = await appendEvent(js, s, ev('PodBound', { nodeName: 'a' }), 0)
  const r2 = await appendEvent(js, s, ev('PodBound', { nodeName: 'b' }), r1)
  assert.ok(r2 > r1)
  try {
    await appendEvent(js, s, ev('PodBound', { nodeName: 'c' }), r1)
    assert.unreachable('stale append accepted')
  } catch (e) {
    assert.ok(isLogConflict(e), String(e))
  }
  try {
    await appendEvent(js, s, ev('PodBound', { nodeName: 'd' }), 0)
    assert.unreachable('second create accepted')
  } catch (e) {
    assert.ok(isLogConflict(e))
  }
})

test('a tail delivers in revision order, skips and counts malformed frames, and keeps going', async () => {
  const s = logSubject('pods', 'default', 'mixed')
  const good1 = await appendEvent(js, s, ev('PodBound', { nodeName: 'x' }), 0)
  await js.publish(s, new TextEncoder().encode('not msgpack at all {')) // a writer with the right to, but garbage
  await js.publish(s, new Uint8Array([0x81, 0xa4, 0x74, 0x79, 0x70, 0x65, 0xa3, 0x66, 0x6f, 0x6f])) // {type:'foo'}
  const last = (await js.publish(s, (await import('../../../events/index.js')).encodeEvent(ev('PodDeleted')))).seq
  const seen: Recorded[] = []
  const bad: { rev: number; code: string }[] = []
  const tail = await tailLog(js, {
    filter: logResourceFilter('pods'),
    onEvent: (r) => seen.push(r),
    onMalformed: (rev, _s, e) => bad.push({ rev, code: isMalformedFrame(e) ? e.code : 'other' }),
  })
  await tail.caughtUp
  const mine = seen.filter((r) => r.subject === s)
  assert.equal(mine.map((r) => r.event.type), ['PodBound', 'PodDeleted'])
  assert.is(mine[0].rev, good1)
  assert.is(mine[1].rev, last)
  assert.equal(bad.map((b) => b.code), [FrameErrorCode.Undecodable, FrameErrorCode.NotAnEnvelope])
  assert.is(tail.malformed, 2)
  // Still live after the garbage.
  const next = await appendEvent(js, logSubject('pods', 'default', 'after'), ev('PodDeleted'), 0)
  for (let i = 0; i < 50 && !seen.some((r) => r.rev === next); i++) await new Promise((r) => setTimeout(r, 20))
  assert.ok(seen.some((r) => r.rev === next))
  await tail.stop()
})

test('followLog: the store catches up (malformed frames counted, their revisions kept), then follows live', async () => {
  const s = logSubject('pods', 'default', 'follow')
  await appendEvent(js, s, ev('PodBound', { nodeName: 'x' }), 0)
  await js.publish(s, new TextEncoder().encode('garbage {'))
  const lastSeq = async () => (await (await jetstreamManager(nc)).streams.info(LOG_STREAM)).state.last_seq
  const head = await lastSeq()
  const store = new ClusterStore()
  const reported: number[] = []
  const following = await followLog(js, store, { onMalformed: (rev) => reported.push(rev) })
  await following.caughtUp
  assert.is(store.rev, head)
  assert.is(store.subjectRev(s), head, 'the undecodable frame is the subject\'s last revision')
  assert.ok(reported.includes(head))
  assert.is(following.malformed, reported.length)
  const next = await appendEvent(js, logSubject('pods', 'default', 'follow-live'), ev('PodDeleted'), 0)
  assert.ok(await store.waitFor(next, 2_000), 'a live event is applied')
  await following.stop()
})

test('a tail from a revision starts exactly there', async () => {
  const s = logSubject('nodes', undefined, 'from')
  const a = await appendEvent(js, s, { type: 'NodeDeleted', v: 1, at: 1, by: 't', data: {} }, 0)
  const b = await appendEvent(js, s, { type: 'NodeDeleted', v: 1, at: 2, by: 't', data: {} }, a)
  const seen: number[] = []
  const tail = await tailLog(js, { filter: logResourceFilter('nodes'), fromRev: b, onEvent: (r) => seen.push(r.rev) })
  await tail.caughtUp
  assert.equal(seen, [b])
  await tail.stop()
})

test('a tail from past the end is caught up at once, then follows new appends', async () => {
  const s = logSubject('nodes', undefined, 'past-end')
  const last = await appendEvent(js, s, { type: 'NodeDeleted', v: 1, at: 1, by: 't', data: {} }, 0)
  const seen: number[] = []
  const tail = await tailLog(js, { filter: logResourceFilter('>'), fromRev: last + 1, onEvent: (r) => seen.push(r.rev) })
  await tail.caughtUp
  assert.equal(seen, [])
  const next = await appendEvent(js, s, { type: 'NodeDeleted', v: 1, at: 2, by: 't', data: {} }, last)
  for (let i = 0; i < 100 && !seen.includes(next); i++) await new Promise((r) => setTimeout(r, 20))
  assert.equal(seen, [next])
  await tail.stop()
})

test.run()
