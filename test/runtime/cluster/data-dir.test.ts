/** Generated NATS passwords survive nats-server's parsing of `$VAR` values, whatever the random bytes. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadOrCreateCredentials } from '../../../runtime/cluster/data-dir.js'
import { defaultNatsConf } from '../../../runtime/nats/server.js'
import { removeDir } from '../../e2e/cluster.js'

test('passwords are bare NATS strings (a leading digit once failed the start) and the file is 0600', () => {
  for (let i = 0; i < 200; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'kstate-creds-'))
    const c = loadOrCreateCredentials(dir)
    assert.match(c.controlPlanePassword, /^[a-z][0-9a-f]+$/)
    assert.match(c.nodePassword, /^[a-z][0-9a-f]+$/)
    assert.is(statSync(join(dir, 'credentials.json')).mode & 0o777, 0o600)
    removeDir(dir)
  }
})

test('nats-server accepts nats.conf with generated-style passwords, and refuses a value it reads as a number (config check only)', () => {
  const r = spawnSync('nats-server', ['-c', defaultNatsConf(), '-t'], {
    env: { PATH: process.env.PATH, KSTATE_CONTROL_PLANE_PASSWORD: 'k1O2abc', KSTATE_NODE_PASSWORD: 'k9e9' },
    encoding: 'utf8',
  })
  assert.is(r.status, 0, r.stderr + r.stdout)
  const bad = spawnSync('nats-server', ['-c', defaultNatsConf(), '-t'], {
    env: { PATH: process.env.PATH, KSTATE_CONTROL_PLANE_PASSWORD: '5MB', KSTATE_NODE_PASSWORD: 'x' },
    encoding: 'utf8',
  })
  assert.is.not(bad.status, 0, 'the failure this guards against no longer reproduces: revisit the password format')
})

test.run()
