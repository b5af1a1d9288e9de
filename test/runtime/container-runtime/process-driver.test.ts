import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { containerEnv, expand, ProcessDriver, type DriverEvent, type SpawnRequest } from '../../../runtime/container-runtime/process-driver.js'

const dirs: string[] = []
const drivers: ProcessDriver[] = []

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'kstate-driver-'))
  dirs.push(dir)
  const driver = new ProcessDriver({ dataDir: dir, apiHost: '127.0.0.1', apiPort: 6443 })
  drivers.push(driver)
  const events: DriverEvent[] = []
  const waiters: { pred: (e: DriverEvent) => boolean; resolve: (e: DriverEvent) => void }[] = []
  driver.onEvent((e) => {
    events.push(e)
    for (const w of [...waiters]) if (w.pred(e)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(e))
  })
  /** The first event (past or future) matching, within a deadline: uvu has no per-test timeout. */
  const next = (type: DriverEvent['type'], id: string, ms = 5000) =>
    new Promise<DriverEvent>((resolve, reject) => {
      const pred = (e: DriverEvent) => e.type === type && e.containerId === id
      const seen = events.find(pred)
      if (seen) return resolve(seen)
      const timer = setTimeout(() => reject(new Error(`no ${type} for ${id} within ${ms} ms; saw ${JSON.stringify(events)}`)), ms)
      waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) })
    })
  const req = (id: string, command: string[], args: string[] = [], env: SpawnRequest['env'] = []): SpawnRequest => ({
    containerId: id,
    name: id,
    image: 'busybox',
    command,
    args,
    env,
    workingDir: dir,
    logPath: join(dir, 'pods', 'default_web-1_u1', `${id}.log`),
    pod: { name: 'web-1', namespace: 'default', uid: 'u1', nodeName: 'node-1', podIP: '10.1.2.3', hostIP: '10.1.2.3', hostname: 'web-1' },
  })
  const log = (id: string) => readFileSync(join(dir, 'pods', 'default_web-1_u1', `${id}.log`), 'utf8')
  const waitFor = async (cond: () => boolean, ms = 5000) => {
    const end = Date.now() + ms
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met in time')
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  return { dir, driver, events, next, req, log, waitFor }
}

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

test.after(async () => {
  for (const d of drivers) await d.stopAll(200)
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

test('printenv HOSTNAME KUBERNETES_PORT: output in the log file, exit 0', async () => {
  const s = setup()
  s.driver.spawn(s.req('c1', ['printenv'], ['HOSTNAME', 'KUBERNETES_PORT']))
  const started = await s.next('STARTED', 'c1')
  assert.ok(started.type === 'STARTED' && started.pid > 0)
  const exit = await s.next('EXITED', 'c1')
  assert.equal(exit, { type: 'EXITED', containerId: 'c1', exitCode: 0, signal: null })
  assert.is(s.log('c1'), 'web-1\ntcp://127.0.0.1:6443\n')
  assert.not.ok(existsSync(join(s.dir, 'pids', 'c1.pid')), 'pid file removed on exit')
})

test('exit codes are reported; stdout and stderr keep their order in one file', async () => {
  const s = setup()
  s.driver.spawn(s.req('c2', ['sh', '-c', 'echo a; echo b >&2; echo c; exit 3']))
  const exit = await s.next('EXITED', 'c2')
  assert.equal(exit, { type: 'EXITED', containerId: 'c2', exitCode: 3, signal: null })
  assert.is(s.log('c2'), 'a\nb\nc\n')
  // A restart appends to the same log.
  s.driver.spawn({ ...s.req('c2b', ['sh', '-c', 'echo again']), logPath: join(s.dir, 'pods', 'default_web-1_u1', 'c2.log') })
  await s.next('EXITED', 'c2b')
  assert.is(s.log('c2'), 'a\nb\nc\nagain\n')
})

test('the environment: literal values, $(VAR) expansion, fieldRefs, service variables', async () => {
  const s = setup()
  const env = [
    { name: 'GREETING', value: 'hello' },
    { name: 'MESSAGE', value: '$(GREETING) from $(POD_NS), $$(GREETING) $(UNDEFINED)' },
    { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
  ]
  s.driver.spawn(s.req('c3', ['sh', '-c', 'echo "$MESSAGE|$POD_NS|$POD_IP|$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT|$KUBERNETES_PORT_6443_TCP"; echo "$(MESSAGE)"'], [], env))
  await s.next('EXITED', 'c3')
  // POD_NS is defined after MESSAGE, so it stays unexpanded there, as in Kubernetes.
  assert.is(s.log('c3').split('\n')[0], 'hello from $(POD_NS), $(GREETING) $(UNDEFINED)|default|10.1.2.3|127.0.0.1:6443|tcp://127.0.0.1:6443')
  const e = containerEnv(s.req('x', ['true'], [], env), { host: '::1', port: 443 }, '/bin')
  assert.is(e.KUBERNETES_PORT, 'tcp://[::1]:443')
  assert.is(e.KUBERNETES_PORT_443_TCP_ADDR, '::1')
  assert.is(e.PATH, '/bin')
  assert.is(expand('$(A)$$(A)$(B', { A: '1' }), '1$(A)$(B')
})

test('args are expanded too; an unsupported valueFrom fails the start with a message', async () => {
  const s = setup()
  s.driver.spawn(s.req('c4', ['echo'], ['$(MESSAGE)'], [{ name: 'MESSAGE', value: 'hi there' }]))
  await s.next('EXITED', 'c4')
  assert.is(s.log('c4'), 'hi there\n')
  s.driver.spawn(s.req('c4b', ['true'], [], [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]))
  const failed = await s.next('SPAWN_FAILED', 'c4b')
  assert.match((failed as { message: string }).message, /secretKeyRef is not supported/)
})

test('SIGTERM reaches a trapping shell, which exits on its own', async () => {
  const s = setup()
  s.driver.spawn(s.req('c5', ['sh', '-c', 'trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.05; done']))
  await s.next('STARTED', 'c5')
  await s.waitFor(() => s.log('c5').includes('ready'))
  s.driver.signal('c5', 'SIGTERM')
  const exit = await s.next('EXITED', 'c5')
  assert.equal(exit, { type: 'EXITED', containerId: 'c5', exitCode: 0, signal: null })
  assert.match(s.log('c5'), /got-term/)
})

test('a process ignoring SIGTERM survives it and dies of SIGKILL', async () => {
  const s = setup()
  s.driver.spawn(s.req('c6', ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done']))
  const started = (await s.next('STARTED', 'c6')) as { pid: number }
  await s.waitFor(() => s.log('c6').includes('ready'))
  s.driver.signal('c6', 'SIGTERM')
  await new Promise((r) => setTimeout(r, 300))
  assert.ok(alive(started.pid), 'still running after SIGTERM')
  assert.not.ok(s.events.some((e) => e.type === 'EXITED' && e.containerId === 'c6'))
  s.driver.signal('c6', 'SIGKILL')
  const exit = await s.next('EXITED', 'c6')
  assert.equal(exit, { type: 'EXITED', containerId: 'c6', exitCode: null, signal: 'SIGKILL' })
})

test('children die with the container: on a kill of the group, and when the main process exits', async () => {
  const s = setup()
  s.driver.spawn(s.req('c7', ['sh', '-c', `sleep 1000 & echo $! > ${s.dir}/c7.child; wait`]))
  await s.next('STARTED', 'c7')
  await s.waitFor(() => existsSync(`${s.dir}/c7.child`) && readFileSync(`${s.dir}/c7.child`, 'utf8').endsWith('\n'))
  const child = Number(readFileSync(`${s.dir}/c7.child`, 'utf8'))
  assert.ok(alive(child))
  s.driver.signal('c7', 'SIGKILL')
  await s.next('EXITED', 'c7')
  await s.waitFor(() => !alive(child))

  s.driver.spawn(s.req('c8', ['sh', '-c', `sleep 1000 & echo $! > ${s.dir}/c8.child; exit 0`]))
  await s.next('EXITED', 'c8')
  const orphan = Number(readFileSync(`${s.dir}/c8.child`, 'utf8'))
  await s.waitFor(() => !alive(orphan))
})

test('a command that does not exist is a spawn failure; the driver keeps working', async () => {
  const s = setup()
  s.driver.spawn(s.req('c9', ['no-such-command-kstate']))
  const failed = await s.next('SPAWN_FAILED', 'c9')
  assert.equal(failed, { type: 'SPAWN_FAILED', containerId: 'c9', message: 'exec: "no-such-command-kstate": executable file not found in $PATH' })
  s.driver.signal('c9', 'SIGKILL') // ignored
  s.driver.spawn({ ...s.req('c10', ['true']), workingDir: join(s.dir, 'missing') })
  assert.match(((await s.next('SPAWN_FAILED', 'c10')) as { message: string }).message, /chdir to cwd/)
  s.driver.spawn(s.req('c11', ['true']))
  assert.is((await s.next('EXITED', 'c11')).type, 'EXITED')
  assert.not.ok(s.events.some((e) => e.type === 'STARTED' && (e.containerId === 'c9' || e.containerId === 'c10')))
})

test('no command and no args: a placeholder that runs until SIGTERM, then exits 0', async () => {
  const s = setup()
  s.driver.spawn(s.req('c12', []))
  await s.next('STARTED', 'c12')
  await new Promise((r) => setTimeout(r, 200))
  assert.not.ok(s.events.some((e) => e.type === 'EXITED' && e.containerId === 'c12'))
  s.driver.signal('c12', 'SIGTERM')
  assert.equal(await s.next('EXITED', 'c12'), { type: 'EXITED', containerId: 'c12', exitCode: 0, signal: null })
})

test('a restarted node kills the process groups a killed run left behind', async () => {
  const s = setup()
  s.driver.spawn(s.req('c13', ['sh', '-c', `sleep 1000 & echo $! > ${s.dir}/c13.child; wait`]))
  const started = (await s.next('STARTED', 'c13')) as { pid: number }
  await s.waitFor(() => existsSync(`${s.dir}/c13.child`) && readFileSync(`${s.dir}/c13.child`, 'utf8').endsWith('\n'))
  const child = Number(readFileSync(`${s.dir}/c13.child`, 'utf8'))
  assert.ok(existsSync(join(s.dir, 'pids', 'c13.pid')))
  // The old driver is forgotten, as if its process had been killed -9.
  const next = new ProcessDriver({ dataDir: s.dir, apiHost: '127.0.0.1', apiPort: 6443 })
  const killed = await next.reapOrphans()
  assert.ok(killed >= 2, `killed ${killed}`)
  await s.waitFor(() => !alive(started.pid) && !alive(child))
  assert.not.ok(existsSync(join(s.dir, 'pids', 'c13.pid')))
  assert.is(await next.reapOrphans(), 0)
})

test('kill -9 of the node process: its watchdog kills the containers, no restart needed', async () => {
  const s = setup()
  const driverUrl = new URL('../../../runtime/container-runtime/process-driver.ts', import.meta.url).href
  const script = `
    import { ProcessDriver } from ${JSON.stringify(driverUrl)}
    const d = new ProcessDriver({ dataDir: ${JSON.stringify(s.dir)}, apiHost: '127.0.0.1', apiPort: 1 })
    d.onEvent((e) => console.log(JSON.stringify(e)))
    d.spawn(${JSON.stringify(s.req('c16', ['sh', '-c', `sleep 1000 & echo $! > ${s.dir}/c16.child; wait`]))})
    setInterval(() => {}, 1000)`
  const node = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  node.stdout!.on('data', (d) => (out += d))
  try {
    await s.waitFor(() => out.includes('STARTED') && existsSync(`${s.dir}/c16.child`) && readFileSync(`${s.dir}/c16.child`, 'utf8').endsWith('\n'), 10_000)
    const main = (JSON.parse(out.split('\n')[0]) as { pid: number }).pid
    const child = Number(readFileSync(`${s.dir}/c16.child`, 'utf8'))
    assert.ok(alive(main) && alive(child))
    node.kill('SIGKILL')
    await s.waitFor(() => !alive(main) && !alive(child))
  } finally {
    node.kill('SIGKILL')
  }
})

test('stopAll: SIGTERM to all, SIGKILL to whoever ignores it after the grace', async () => {
  const s = setup()
  s.driver.spawn(s.req('c14', []))
  s.driver.spawn(s.req('c15', ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done']))
  await s.next('STARTED', 'c14')
  await s.next('STARTED', 'c15')
  await s.waitFor(() => s.log('c15').includes('ready'))
  const t0 = Date.now()
  await s.driver.stopAll(300)
  assert.ok(Date.now() - t0 >= 300)
  assert.equal(await s.next('EXITED', 'c14'), { type: 'EXITED', containerId: 'c14', exitCode: 0, signal: null })
  assert.equal(await s.next('EXITED', 'c15'), { type: 'EXITED', containerId: 'c15', exitCode: null, signal: 'SIGKILL' })
})

test.run()
