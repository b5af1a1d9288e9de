/** `kstate simulate` as a user runs it: a verdict, the log hash, and for a failing seed the command that reproduces it. */
import { spawnSync } from 'node:child_process'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = new URL('../../../', import.meta.url).pathname
const kstate = (args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
const hashOf = (out: string) => /^log hash: ([0-9a-f]{64})$/m.exec(out)?.[1]

test('a clean run prints the verdict of every invariant and the log hash; the same seed prints the same hash', () => {
  const args = ['simulate', '--seed', '11', '--nodes', '5', '--pods', '20', '--duration', '8m', '--faults', '60', '--converge-within', '3m']
  const a = kstate(args)
  assert.is(a.code, 0, a.out + a.err)
  assert.match(a.out, /^seed 11: 5 nodes, 20 pods, 8m simulated in/m)
  for (const name of ['acknowledged-writes-in-log', 'pod-bound-once', 'pod-on-one-node-at-once', 'replicasets-converge', 'resource-versions-increase', 'projections-agree']) {
    assert.match(a.out, new RegExp(`^  ${name} +ok$`, 'm'))
  }
  const b = kstate(args)
  assert.ok(hashOf(a.out))
  assert.is(hashOf(b.out), hashOf(a.out))
})

test('a failing seed exits 1, names the violations and prints the exact command that reproduces them', () => {
  // 200 pods cannot fit on one node (110 pods at most): the ReplicaSets never converge.
  const a = kstate(['simulate', '--seed', '3', '--nodes', '1', '--pods', '200', '--duration', '3m', '--faults', '0', '--converge-within', '1m', '--warmup', '0'])
  assert.is(a.code, 1, a.out + a.err)
  assert.match(a.out, /replicasets-converge +FAILED/)
  assert.match(a.out, /^  replicasets-converge replicaset\/default\/app-\d: \d+ active and \d+ ready of 20 desired replicas/m)
  const command = /reproduce with:\n {2}(kstate simulate .*)$/m.exec(a.out)?.[1]
  assert.ok(command, a.out)
  assert.match(command!, /--seed 3 --nodes 1 --duration 3m --faults 0 --pods 200 /)
  const again = kstate(command!.split(' ').slice(1))
  assert.is(again.code, 1)
  assert.is(hashOf(again.out), hashOf(a.out))
  const violations = (out: string) => out.split('\n').filter((l) => l.startsWith('  replicasets-converge replicaset/'))
  assert.equal(violations(again.out), violations(a.out))
})

test('bad flags are one-line errors', () => {
  const r = kstate(['simulate', '--seed', 'x'])
  assert.is(r.code, 1)
  assert.match(r.err.trim(), /^error: --seed must be an integer/)
  assert.is(r.err.trim().split('\n').length, 1)
})

test.run()
