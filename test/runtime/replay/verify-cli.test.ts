/**
 * `kstate replay --verify` as a user runs it (the built CLI): OK and exit 0 on a golden history;
 * the divergence (revision, actor, expected vs produced) and exit 1 on the corrupted one; the
 * recorded control plane's flags on the command line; a bad file refused in one line.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kstate } from '../../e2e/cluster.js'
import { corruptedPath, goldenPath } from '../../golden/files.js'

test('a golden history: "verified N decisions of M events: OK", exit 0', async () => {
  const r = await kstate(['replay', '--verify', goldenPath('node-failure')], { timeoutMs: 60_000 })
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^verified \d+ decisions of 63 events: OK\n$/)
})

test('the corrupted history: the first divergence with revision, actor, expected and produced; exit 1', async () => {
  const r = await kstate(['replay', '--verify', corruptedPath('node-failure.bound-elsewhere')], { timeoutMs: 60_000 })
  assert.is(r.code, 1, r.stdout + r.stderr)
  assert.match(r.stdout, /divergence at revision \d+ \(scheduler\): the controller made a different decision/)
  assert.match(r.stdout, /expected: rev \d+ PodBound pod\/default\/\S+ → sim-node-\d+/)
  assert.match(r.stdout, /produced: PodBound pod\/default\/\S+ → sim-node-\d+/)
  assert.match(r.stdout, /data\.nodeName: expected "sim-node-\d+", produced "sim-node-\d+"/)
  assert.match(r.stdout, /DIVERGED\n$/)
})

test('a history recorded with short node timings verifies with those flags, and names them when not given', async () => {
  const path = goldenPath('e2e-node-failure')
  const right = await kstate(['replay', '--verify', path, '--node-monitor-period', '1s', '--node-monitor-grace-period', '4s'], { timeoutMs: 60_000 })
  assert.is(right.code, 0, right.stdout + right.stderr)
  assert.match(right.stdout, /: OK\n$/)
  const wrong = await kstate(['replay', '--verify', path], { timeoutMs: 60_000 })
  assert.is(wrong.code, 1)
  assert.match(wrong.stdout, '(node-controller)')
  assert.match(wrong.stdout, '--node-monitor-period 5s --node-monitor-grace-period 40s')
})

test('a file that is not an export: one line on stderr, exit 1', async () => {
  const r = await kstate(['replay', '--verify', new URL(import.meta.url).pathname], { timeoutMs: 60_000 })
  assert.is(r.code, 1)
  assert.is(r.stdout, '')
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
})

test.run()
