/** Only the api-server may write the log: nats.conf refuses every other identity. */
import { jetstream } from '@nats-io/jetstream'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeEvent, LOG_STREAM, logSubject, type LogEvent } from '../../events/index.js'
import { ensureLogStream } from '../../runtime/event-log/stream.js'
import { logger, setLogLevel } from '../../runtime/log.js'
import { connectNats } from '../../runtime/nats/connect.js'
import { startNatsServer, type RunningNatsServer } from '../../runtime/nats/server.js'
import { jetstreamManager } from '@nats-io/jetstream'
import { removeDir } from './cluster.js'

setLogLevel('warn')
const dir = mkdtempSync(join(tmpdir(), 'kstate-perm-'))
const passwords = { controlPlane: 'cp-secret', node: 'node-secret' }
let server: RunningNatsServer

const event: LogEvent = { type: 'PodDeleted', v: 1, at: 1, by: 'intruder', data: {} }

test.before(async () => {
  server = await startNatsServer({ storeDir: join(dir, 'nats'), pidFile: join(dir, 'nats.pid'), passwords, log: logger('test') })
  const cp = await connectNats({ url: server.url, user: 'control-plane', pass: passwords.controlPlane }, 'cp')
  await ensureLogStream(await jetstreamManager(cp))
  await cp.drain()
})

test.after(async () => {
  await server.stop()
  removeDir(dir)
})

test('the control-plane identity may append to the log', async () => {
  const nc = await connectNats({ url: server.url, user: 'control-plane', pass: passwords.controlPlane }, 'cp')
  const ack = await jetstream(nc).publish(logSubject('pods', 'default', 'ok'), encodeEvent(event), { expect: { lastSubjectSequence: 0 } })
  assert.ok(ack.seq >= 1)
  await nc.drain()
})

test('the node identity is refused when it publishes to a log subject', async () => {
  const nc = await connectNats({ url: server.url, user: 'node', pass: passwords.node }, 'node')
  const errors: string[] = []
  ;(async () => {
    for await (const s of nc.status()) if (s.type === 'error') errors.push(String((s as { error?: Error }).error?.message ?? s.type))
  })()
  let refused = false
  try {
    await jetstream(nc).publish(logSubject('pods', 'default', 'evil'), encodeEvent(event), { timeout: 2000 })
  } catch (e) {
    refused = /permission|timeout|no responders/i.test((e as Error).message)
  }
  assert.ok(refused, 'publish should fail')
  await new Promise((r) => setTimeout(r, 200))
  assert.ok(errors.some((m) => /permissions violation/i.test(m)), `expected a permissions violation, got ${JSON.stringify(errors)}`)
  // And nothing landed on that subject.
  const cp = await connectNats({ url: server.url, user: 'control-plane', pass: passwords.controlPlane }, 'cp')
  const jsm = await jetstreamManager(cp)
  const msg = await jsm.streams.getMessage(LOG_STREAM, { last_by_subj: logSubject('pods', 'default', 'evil') }).catch(() => null)
  assert.is(msg, null)
  await cp.drain()
  await nc.close()
})

test('the node identity cannot purge or delete the log stream', async () => {
  const nc = await connectNats({ url: server.url, user: 'node', pass: passwords.node }, 'node')
  const jsm = await jetstreamManager(nc)
  let purgeRefused = false
  try {
    await jsm.streams.purge(LOG_STREAM)
  } catch {
    purgeRefused = true
  }
  assert.ok(purgeRefused)
  await nc.close()
})

test('a wrong password is refused at connect', async () => {
  let refused = false
  try {
    const nc = await connectNats({ url: server.url, user: 'node', pass: 'wrong' }, 'x')
    await nc.close()
  } catch (e) {
    refused = /authorization|auth/i.test((e as Error).message)
  }
  assert.ok(refused)
})

test.run()
