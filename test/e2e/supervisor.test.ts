/**
 * `kstate up --processes` runs the control plane and each node in its own process group (so a
 * chaos kill takes a node's pods with it). Its children must still not outlive it: SIGKILL of
 * the parent alone, which it cannot react to, ends every child and pod process.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { podProcesses, startCluster, until, type Cluster } from './cluster.js'
import { FAST, pgrep, stopChaosCluster } from './chaos-cluster.js'

let c: Cluster | undefined

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: orphan-check\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n'

test('SIGKILL of kstate up --processes: control plane, node and pod processes stop; nothing but nats-server is left', async () => {
  c = await startCluster({ nodes: 1, args: ['--processes', ...FAST] })
  assert.is((await c.run(['apply', '-f', '-'], { input: POD })).code, 0)
  await until(async () => /orphan-check\s+1\/1\s+Running/.test((await c!.run(['get', 'pods'])).stdout), 30_000, 'pod Running')
  const natsPid = Number(readFileSync(join(c.dir, 'nats.pid'), 'utf8').trim())
  const children = pgrep(c.dir).filter((p) => p !== c!.proc.child.pid && p !== natsPid)
  assert.ok(children.length >= 2, `control plane and node run as processes: ${children}`)
  const pods = podProcesses(c.dir, 'sleep 3600')
  assert.ok(pods.length >= 1, 'the pod runs as a process')

  process.kill(c.proc.child.pid!, 'SIGKILL') // the parent only, not its group
  await until(async () => children.every((p) => !alive(p)), 20_000, 'children gone after the parent was killed')
  await until(async () => pods.every((p) => !alive(p)), 20_000, 'pod processes gone')
  await until(async () => pgrep(c!.dir).every((p) => p === natsPid), 20_000, 'only nats-server left')
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

test.after(async () => {
  await stopChaosCluster(c)
})

test.run()
