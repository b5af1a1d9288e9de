/**
 * Faults on a live cluster of OS processes (`kstate up --processes`, 2 nodes, short node-lifecycle
 * timings): each injected from the CLI, listed by `kstate chaos ls`, recorded in the log, and
 * cleared. Kills are real SIGKILLs of the node's process and its pods' processes.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readCredentials, readEndpoints } from '../../runtime/cluster/data-dir.js'
import { connectChaos } from '../../runtime/chaos/client.js'
import { isChaosError } from '../../runtime/chaos/errors.js'
import { pgrep, startChaosCluster, stopChaosCluster } from './chaos-cluster.js'
import { kstate, loudly, podProcesses, until, type Cluster } from './cluster.js'

let c: Cluster

const chaos = (...args: string[]) => kstate(['chaos', ...args, '--data-dir', c.dir], { timeoutMs: 60_000 })
type NodeJson = { status: { conditions: { type: string; status: string }[] } }
const readyOf = async (name: string) => (JSON.parse((await c.run(['get', 'node', name, '-o', 'json'])).stdout) as NodeJson).status.conditions.find((x) => x.type === 'Ready')?.status
async function phaseOf(pod: string): Promise<string | undefined> {
  const r = await c.run(['get', 'pod', pod, '-o', 'json'])
  if (r.code !== 0) throw new Error(r.stderr.trim())
  return JSON.parse(r.stdout).status?.phase
}
const events = async () => (await c.run(['events', '-o', 'json'])).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rev: number; type: string; object: string; by: string })
const pinned = (name: string, node: string, seconds: number) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  nodeName: ${node}\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: s\n    image: busybox\n    command: ["sleep", "${seconds}"]\n`
/** A pod for the scheduler to place. */
const POD = (name: string, seconds: number) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: s\n    image: busybox\n    command: ["sleep", "${seconds}"]\n`

test.before(
  loudly(async () => {
    c = await startChaosCluster(2)
  }),
)
test.after(() => stopChaosCluster(c))

test('a partition is listed, recorded as FaultInjected/FaultCleared, and healed', async () => {
  const none = await chaos('ls')
  assert.is(none.code, 0, none.stderr)
  assert.match(none.stderr, 'No faults in effect')
  const r = await chaos('partition', 'node-2', '--from', 'control-plane')
  assert.is(r.code, 0, r.stderr)
  const id = /^fault\/(partition-[0-9a-f]+) injected$/m.exec(r.stdout)?.[1]
  assert.ok(id, r.stdout)
  const ls = await chaos('ls')
  assert.match(ls.stdout, /^ID\s+FAULT\s+AGE\s+ENDS IN$/m)
  assert.match(ls.stdout, new RegExp(`^${id}\\s+partition node-2 --from control-plane\\s+\\d+s\\s+<none>$`, 'm'))
  const healed = await chaos('heal')
  assert.is(healed.stdout, `fault/${id} cleared\n`, healed.stderr)
  const log = (await events()).filter((e) => e.object === `fault/${id}`)
  assert.equal(log.map((e) => e.type), ['FaultInjected', 'FaultCleared'])
  assert.is(log[0].by, 'admin')
  // Readers that do not know faults ignore them: the cluster's objects are as before.
  assert.is((await c.run(['get', 'nodes'])).code, 0)
})

test('kill node: the node process and its pods are SIGKILLed; clearing the fault restarts it', async () => {
  assert.is((await c.run(['apply', '-f', '-'], { input: pinned('chaos-victim', 'node-2', 7201) })).code, 0)
  await until(async () => (await phaseOf('chaos-victim')) === 'Running', 30_000, 'the pod Running on node-2')
  const nodePids = pgrep(`node --name node-2 --data-dir ${c.dir}`)
  assert.is(nodePids.length, 1)
  assert.is(podProcesses(c.dir, 'sleep 7201').length, 1)
  const r = await chaos('kill', 'node', 'node-2')
  assert.is(r.code, 0, r.stderr)
  const id = /fault\/(kill-node-[0-9a-f]+) injected/.exec(r.stdout)![1]
  // When the command returns the processes are gone.
  assert.equal(pgrep(`node --name node-2 --data-dir ${c.dir}`), [])
  assert.equal(podProcesses(c.dir, 'sleep 7201'), [])
  assert.match((await chaos('kill', 'node', 'node-2')).stderr, 'node-2 is already killed')
  await until(async () => (await readyOf('node-2')) === 'Unknown', 20_000, 'node-2 Unknown')
  assert.is((await chaos('clear', id)).code, 0)
  const again = pgrep(`node --name node-2 --data-dir ${c.dir}`)
  assert.is(again.length, 1)
  assert.is.not(again[0], nodePids[0])
  await until(async () => (await readyOf('node-2')) === 'True', 30_000, 'node-2 Ready again')
  await c.run(['delete', 'pod', 'chaos-victim', '--now'])
})

test('pause kubelet/node-1: its input waits (the pod does not start); resume delivers it', async () => {
  assert.is((await chaos('pause', 'kubelet/node-1')).code, 0)
  assert.is((await c.run(['apply', '-f', '-'], { input: pinned('chaos-paused', 'node-1', 7202) })).code, 0)
  await new Promise((r) => setTimeout(r, 3_000))
  assert.equal(podProcesses(c.dir, 'sleep 7202'), [], 'not started while paused')
  assert.is.not(await phaseOf('chaos-paused'), 'Running')
  const r = await chaos('resume', 'kubelet/node-1')
  assert.is(r.code, 0, r.stderr)
  await until(async () => (await phaseOf('chaos-paused')) === 'Running', 20_000, 'the pod Running after resume')
  assert.match((await chaos('pause', 'no-such-actor')).stderr, /no actor no-such-actor \(actors: .*scheduler/)
  await c.run(['delete', 'pod', 'chaos-paused', '--now'])
})

test('pause scheduler (an in-process actor): pods wait unbound with the mailbox kept; resume binds them', async () => {
  const r = await chaos('pause', 'scheduler')
  assert.is(r.code, 0, r.stderr)
  assert.is((await c.run(['apply', '-f', '-'], { input: POD('chaos-unscheduled', 7203) })).code, 0)
  await new Promise((res) => setTimeout(res, 3_000))
  const pod = JSON.parse((await c.run(['get', 'pod', 'chaos-unscheduled', '-o', 'json'])).stdout) as { spec: { nodeName?: string }; status: { phase: string } }
  assert.is(pod.spec.nodeName, undefined, 'not bound while the scheduler is paused')
  assert.is((await chaos('resume', 'scheduler')).code, 0)
  await until(async () => (await phaseOf('chaos-unscheduled')) === 'Running', 20_000, 'bound and Running after resume')
  await c.run(['delete', 'pod', 'chaos-unscheduled', '--now'])
})

test('skew-clock +30s: the node\'s heartbeats run 30 s ahead', async () => {
  const r = await chaos('skew-clock', 'node-1', '+30s')
  assert.is(r.code, 0, r.stderr)
  const id = /fault\/(skew-clock-[0-9a-f]+)/.exec(r.stdout)![1]
  const ahead = async () => {
    const n = JSON.parse((await c.run(['get', 'node', 'node-1', '-o', 'json'])).stdout) as { status: { conditions: { type: string; lastHeartbeatTime: string }[] } }
    return Date.parse(n.status.conditions.find((x) => x.type === 'Ready')!.lastHeartbeatTime) - Date.now()
  }
  await until(async () => (await ahead()) > 20_000, 20_000, 'node-1 heartbeats 30 s ahead')
  assert.is((await chaos('clear', id)).code, 0)
  // The kubelet's clock never runs backwards: it is not behind after the fault is cleared.
  assert.not.ok((await chaos('ls')).stdout.includes(id))
  // A negative offset comes after `--`, past the options.
  const back = await kstate(['chaos', 'skew-clock', '--data-dir', c.dir, '--for', '1s', 'node-1', '--', '-30s'])
  assert.match(back.stdout, /fault\/skew-clock-[0-9a-f]+ injected/)
})

test('restart nats: the cluster answers again and the outage is in the log', async () => {
  const r = await chaos('restart', 'nats', '--down', '500ms')
  assert.is(r.code, 0, r.stderr)
  const id = /fault\/(restart-nats-[0-9a-f]+)/.exec(r.stdout)![1]
  await until(async () => (await events()).some((e) => e.object === `fault/${id}` && e.type === 'FaultCleared'), 30_000, 'FaultCleared of the restart')
  await until(async () => (await readyOf('node-1')) === 'True' && (await readyOf('node-2')) === 'True', 30_000, 'both nodes Ready')
})

test('chaos control is the admin\'s: a wrong token is refused, node credentials cannot reach it', async () => {
  const creds = readCredentials(c.dir)
  const url = readEndpoints(c.dir).natsUrl
  const wrong = await connectChaos({ nats: { url, user: 'control-plane', pass: creds.controlPlanePassword }, adminToken: 'not-the-token' })
  try {
    await wrong.inject({ kind: 'pause', actor: 'api-server' })
    assert.unreachable('injected with a wrong token')
  } catch (e) {
    assert.ok(isChaosError(e, 'CHAOS_UNAUTHORIZED'), (e as Error).message)
  } finally {
    await wrong.close()
  }
  const asNode = await connectChaos({ nats: { url, user: 'node', pass: creds.nodePassword }, adminToken: creds.adminToken }, 'node', 3_000)
  try {
    await asNode.inject({ kind: 'pause', actor: 'api-server' })
    assert.unreachable('a node user reached chaos control')
  } catch (e) {
    assert.ok(isChaosError(e, 'CHAOS_UNREACHABLE'), (e as Error).message)
  } finally {
    await asNode.close()
  }
  assert.match((await chaos('ls')).stderr, 'No faults in effect')
})

test.run()
