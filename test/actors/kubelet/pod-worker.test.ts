import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor } from 'xstate'
import { getPhase, goDuration, podWorkerMachine, type ContainerTrack, type PodWorkerCommand, type RestartPolicy } from '../../../actors/kubelet/pod-worker.js'
import { VirtualClock } from '../../../runtime/clock/virtual-clock.js'

const T0 = Date.parse('2025-01-01T00:00:00Z')
const UID = '0b7c2f4e-1111-2222-3333-444455556666'

function makePod(restartPolicy: RestartPolicy, containers: Container[] = [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'exit 0'] }], status?: PodStatus): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: UID },
    spec: { nodeName: 'node-1', restartPolicy, containers },
    status: status ?? { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-12-31T23:59:00Z' }] },
  }
}

function worker(pod: Pod) {
  const clock = new VirtualClock(T0)
  const out: PodWorkerCommand[] = []
  const actor = createActor(podWorkerMachine, { clock, input: { pod, nodeName: 'node-1', hostIP: '10.0.0.7', podDir: '/data/pods/default_web_' + UID, at: clock.now() } })
  actor.on('*', (e) => out.push(e))
  actor.start()
  const of = <T extends PodWorkerCommand['type']>(type: T) => out.filter((e): e is Extract<PodWorkerCommand, { type: T }> => e.type === type)
  const lastSpawn = () => of('Spawn').at(-1)!
  return {
    clock,
    out,
    actor,
    state: () => actor.getSnapshot().value,
    spawns: () => of('Spawn'),
    signals: () => of('Signal').map((s) => `${s.containerId.split('_').slice(1).join('_')}:${s.signal}`),
    statuses: () => of('ReportStatus').map((r) => r.status),
    status: () => of('ReportStatus').at(-1)!.status,
    startPod: () => actor.send({ type: 'START', at: clock.now(), rev: 7 }),
    /** The driver's side: the latest spawned attempt (or `id`) started / exited. */
    started: (id = lastSpawn().containerId) => actor.send({ type: 'CONTAINER_STARTED', containerId: id, pid: 100, at: clock.now() }),
    exited: (exitCode: number | null, signal: string | null = null, id = lastSpawn().containerId) =>
      actor.send({ type: 'CONTAINER_EXITED', containerId: id, exitCode, signal, at: clock.now() }),
  }
}

test('Never, exit 0: Pending → ContainerCreating → Running → Succeeded, with the statuses Kubernetes shows', () => {
  const w = worker(makePod('Never'))
  assert.is(w.state(), 'Pending')
  assert.is(w.out.length, 0)
  w.startPod()
  assert.is(w.state(), 'ContainerCreating')
  const spawn = w.spawns()[0]
  assert.is(spawn.containerId, `${UID}_app_0`)
  assert.equal(spawn.command, ['sh', '-c', 'exit 0'])
  assert.is(spawn.logPath, `/data/pods/default_web_${UID}/app.log`)
  assert.equal(spawn.pod, { name: 'web', namespace: 'default', uid: UID, nodeName: 'node-1', podIP: '10.0.0.7', hostIP: '10.0.0.7', hostname: 'web' })
  let s = w.status()
  assert.is(s.phase, 'Pending')
  assert.equal(s.containerStatuses![0].state, { waiting: { reason: 'ContainerCreating' } })
  assert.is(s.startTime, '2025-01-01T00:00:00Z')
  assert.equal(s.podIPs, [{ ip: '10.0.0.7' }])
  assert.is(s.qosClass, 'BestEffort')
  assert.equal(
    s.conditions!.find((c) => c.type === 'Ready'),
    { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]', lastTransitionTime: '2025-01-01T00:00:00Z' },
  )
  // The scheduler's PodScheduled keeps its own transition time.
  assert.is(s.conditions!.find((c) => c.type === 'PodScheduled')!.lastTransitionTime, '2024-12-31T23:59:00Z')

  w.clock.advance(2000)
  w.started()
  assert.is(w.state(), 'Running')
  s = w.status()
  assert.is(s.phase, 'Running')
  assert.equal(s.containerStatuses![0], {
    name: 'app',
    state: { running: { startedAt: '2025-01-01T00:00:02Z' } },
    lastState: {},
    ready: true,
    restartCount: 0,
    image: 'busybox',
    imageID: '',
    containerID: `kstate://${UID}_app_0`,
    started: true,
  })
  assert.equal(s.conditions!.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'])
  assert.is(s.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2025-01-01T00:00:02Z')
  assert.is(s.conditions!.find((c) => c.type === 'Initialized')!.lastTransitionTime, '2025-01-01T00:00:00Z')

  w.clock.advance(3000)
  w.exited(0)
  assert.is(w.state(), 'Succeeded')
  s = w.status()
  assert.is(s.phase, 'Succeeded')
  assert.equal(s.containerStatuses![0].state, {
    terminated: { exitCode: 0, reason: 'Completed', startedAt: '2025-01-01T00:00:02Z', finishedAt: '2025-01-01T00:00:05Z', containerID: `kstate://${UID}_app_0` },
  })
  assert.equal(s.conditions!.find((c) => c.type === 'Ready'), { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: '2025-01-01T00:00:05Z' })
  assert.is(w.spawns().length, 1)
  assert.ok(w.out.filter((e) => e.type === 'ReportStatus').every((e) => e.type === 'ReportStatus' && e.cause === 7))
})

test('a status is reported only when it changes', () => {
  const w = worker(makePod('Always', [{ name: 'app', image: 'nginx' }]))
  w.startPod()
  w.started()
  const n = w.statuses().length
  w.started() // a duplicate driver event changes nothing
  w.clock.advance(60_000)
  assert.is(w.statuses().length, n)
  const json = w.statuses().map((s) => JSON.stringify(s))
  assert.is(new Set(json).size, json.length)
})

test('Never, exit 1: Failed, no restart', () => {
  const w = worker(makePod('Never'))
  w.startPod()
  w.started()
  w.exited(1)
  assert.is(w.state(), 'Failed')
  assert.is(w.status().phase, 'Failed')
  assert.equal(w.status().containerStatuses![0].state!.terminated!.reason, 'Error')
  assert.is(w.status().conditions!.find((c) => c.type === 'Ready')!.reason, 'PodFailed')
  w.clock.advance(3_600_000)
  assert.is(w.spawns().length, 1)
})

test('OnFailure restarts after exit 1, not after exit 0', () => {
  const w = worker(makePod('OnFailure'))
  w.startPod()
  w.started()
  w.exited(1)
  assert.is(w.spawns().length, 2, 'restarted at once after the first failure')
  assert.is(w.status().phase, 'Running')
  w.started()
  assert.is(w.status().containerStatuses![0].restartCount, 1)
  assert.is(w.status().containerStatuses![0].lastState!.terminated!.exitCode, 1)
  w.exited(0)
  assert.is(w.state(), 'Succeeded')
  w.clock.advance(3_600_000)
  assert.is(w.spawns().length, 2)
})

test('Always restarts on any exit: first at once, then CrashLoopBackOff 10 s, 20 s, 40 s … capped at 300 s', () => {
  const w = worker(makePod('Always'))
  w.startPod()
  w.started()
  w.exited(0)
  assert.is(w.spawns().length, 2, 'the first restart has no back-off (flowcontrol entry is new)')
  w.started()
  w.exited(0)
  const waits = [10, 20, 40, 80, 160, 300, 300, 300]
  for (const [i, s] of waits.entries()) {
    const before = w.spawns().length
    const st = w.status().containerStatuses![0]
    assert.equal(st.state!.waiting, { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(s * 1000)} restarting failed container=app pod=web_default(${UID})` })
    assert.is(st.restartCount, i + 1)
    assert.is(w.status().phase, 'Running')
    w.clock.advance(s * 1000 - 1)
    assert.is(w.spawns().length, before, `no spawn before ${s}s`)
    w.clock.advance(1)
    assert.is(w.spawns().length, before + 1, `spawn right at ${s}s`)
    w.started()
    assert.is(w.status().containerStatuses![0].restartCount, i + 2)
    w.clock.advance(1000)
    w.exited(2)
  }
  assert.is(goDuration(300_000), '5m0s')
  assert.is(goDuration(80_000), '1m20s')
})

test('the back-off resets after a container ran 10 minutes without crashing', () => {
  const w = worker(makePod('Always'))
  w.startPod()
  w.started()
  w.exited(1) // immediate restart, entry 10 s
  w.started()
  w.exited(1) // waits 10 s, entry → 20 s
  w.clock.advance(10_000)
  w.started()
  w.clock.advance(9 * 60_000)
  w.exited(1) // ran 9 minutes: still backing off, 20 s
  assert.match(w.status().containerStatuses![0].state!.waiting!.message!, /back-off 20s/)
  w.clock.advance(20_000)
  w.started()
  w.clock.advance(10 * 60_000 + 1)
  const before = w.spawns().length
  w.exited(1) // ran just over 10 minutes: entry expired, restart at once
  assert.is(w.spawns().length, before + 1)
  w.started()
  w.exited(1)
  assert.match(w.status().containerStatuses![0].state!.waiting!.message!, /back-off 10s/)
})

test('deletion: SIGTERM, then SIGKILL exactly after the grace period; then the final status and PodTerminated', () => {
  const w = worker(makePod('Always', [{ name: 'app', image: 'nginx' }]))
  w.startPod()
  w.started()
  w.actor.send({ type: 'DELETE_REQUESTED', gracePeriodSeconds: 30, at: w.clock.now(), rev: 9 })
  assert.is(w.state(), 'Terminating')
  assert.equal(w.signals(), ['app_0:SIGTERM'])
  w.clock.advance(29_999)
  assert.equal(w.signals(), ['app_0:SIGTERM'])
  w.clock.advance(1)
  assert.equal(w.signals(), ['app_0:SIGTERM', 'app_0:SIGKILL'])
  assert.is(w.out.filter((e) => e.type === 'PodTerminated').length, 0)
  w.exited(null, 'SIGKILL')
  assert.is(w.state(), 'Terminated')
  assert.is(w.spawns().length, 1, 'nothing restarts while terminating')
  const last = w.out.at(-1)!
  assert.equal(last, { type: 'PodTerminated', namespace: 'default', name: 'web', uid: UID, cause: 9 })
  const final = w.out.at(-2)!
  assert.is(final.type, 'ReportStatus')
  if (final.type !== 'ReportStatus') return
  assert.is(final.status.phase, 'Failed')
  assert.is(final.cause, 9)
  assert.is(final.status.containerStatuses![0].state!.terminated!.exitCode, 137)
  assert.is(final.status.conditions!.find((c) => c.type === 'PodReadyToStartContainers')!.status, 'False')
})

test('deletion: no SIGKILL when the process exits within the grace period (exit 0 → Succeeded)', () => {
  const w = worker(makePod('Always', [{ name: 'app', image: 'nginx' }]))
  w.startPod()
  w.started()
  w.actor.send({ type: 'DELETE_REQUESTED', gracePeriodSeconds: 30, at: w.clock.now() })
  w.clock.advance(500)
  w.exited(0)
  w.clock.advance(60_000)
  assert.equal(w.signals(), ['app_0:SIGTERM'])
  assert.is(w.state(), 'Terminated')
  assert.is(w.statuses().at(-1)!.phase, 'Succeeded')
  assert.is(w.out.at(-1)!.type, 'PodTerminated')
})

test('deletion during CrashLoopBackOff cancels the pending restart', () => {
  const w = worker(makePod('Always'))
  w.startPod()
  w.started()
  w.exited(1)
  w.started()
  w.exited(1)
  w.actor.send({ type: 'DELETE_REQUESTED', gracePeriodSeconds: 30, at: w.clock.now() })
  assert.is(w.state(), 'Terminated')
  w.clock.advance(60_000)
  assert.is(w.spawns().length, 2)
  assert.equal(w.signals(), [])
  assert.is(w.out.at(-1)!.type, 'PodTerminated')
})

test('POD_GONE kills at once and confirms nothing', () => {
  const w = worker(makePod('Always', [{ name: 'app', image: 'nginx' }]))
  w.startPod()
  w.started()
  const n = w.statuses().length
  w.actor.send({ type: 'POD_GONE', at: w.clock.now() })
  assert.equal(w.signals(), ['app_0:SIGKILL'])
  w.exited(null, 'SIGKILL')
  assert.is(w.state(), 'Terminated')
  assert.is(w.statuses().length, n)
  assert.is(w.out.filter((e) => e.type === 'PodTerminated').length, 0)
})

test('a second, shorter deletion grace period brings SIGKILL forward', () => {
  const w = worker(makePod('Always', [{ name: 'app', image: 'nginx' }]))
  w.startPod()
  w.started()
  w.actor.send({ type: 'DELETE_REQUESTED', gracePeriodSeconds: 30, at: w.clock.now() })
  w.clock.advance(1000)
  w.actor.send({ type: 'DELETE_REQUESTED', gracePeriodSeconds: 5, at: w.clock.now() })
  w.clock.advance(4999)
  assert.equal(w.signals(), ['app_0:SIGTERM'])
  w.clock.advance(1)
  assert.equal(w.signals(), ['app_0:SIGTERM', 'app_0:SIGKILL'])
})

test('a spawn failure shows RunContainerError, then CrashLoopBackOff with lastState StartError', () => {
  const w = worker(makePod('Always', [{ name: 'app', image: 'x', command: ['nope'] }]))
  w.startPod()
  const fail = () => w.actor.send({ type: 'CONTAINER_SPAWN_FAILED', containerId: w.spawns().at(-1)!.containerId, message: 'exec: "nope": executable file not found in $PATH', at: w.clock.now() })
  fail()
  let st = w.status().containerStatuses![0]
  assert.equal(st.state!.waiting, { reason: 'RunContainerError', message: 'exec: "nope": executable file not found in $PATH' })
  assert.is(st.lastState!.terminated!.reason, 'StartError')
  assert.is(st.lastState!.terminated!.exitCode, 128)
  assert.is(w.spawns().length, 2)
  fail()
  st = w.status().containerStatuses![0]
  assert.is(st.state!.waiting!.reason, 'CrashLoopBackOff')
  assert.is(st.restartCount, 1)
})

test('two containers under Never: Running while one runs, Failed once both ended with one failure', () => {
  const w = worker(makePod('Never', [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }]))
  w.startPod()
  const [a, b] = w.spawns().map((s) => s.containerId)
  w.started(a)
  assert.is(w.state(), 'ContainerCreating', 'b has not started yet')
  w.started(b)
  assert.is(w.state(), 'Running')
  w.exited(0, null, a)
  assert.is(w.status().phase, 'Running')
  assert.is(w.status().conditions!.find((c) => c.type === 'Ready')!.message, 'containers with unready status: [a]')
  w.exited(1, null, b)
  assert.is(w.state(), 'Failed')
})

test('after a kubelet restart a Never pod whose container had run is not run again', () => {
  const previous: PodStatus = {
    phase: 'Running',
    startTime: '2024-12-31T23:00:00Z',
    containerStatuses: [{ name: 'app', image: 'busybox', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: '2024-12-31T23:00:01Z' } } }],
  }
  const w = worker(makePod('Never', undefined, previous))
  w.startPod()
  assert.is(w.spawns().length, 0)
  assert.is(w.state(), 'Failed')
  assert.is(w.status().containerStatuses![0].state!.terminated!.reason, 'ContainerStatusUnknown')
  assert.is(w.status().startTime, '2024-12-31T23:00:00Z')

  const a = worker(makePod('Always', undefined, { ...previous, containerStatuses: [{ ...previous.containerStatuses![0], restartCount: 3 }] }))
  a.startPod()
  assert.is(a.spawns()[0].containerId, `${UID}_app_4`)
  a.started()
  assert.is(a.status().containerStatuses![0].restartCount, 4)
  assert.is(a.status().containerStatuses![0].lastState!.terminated!.reason, 'ContainerStatusUnknown')
})

test('getPhase follows the kubelet table', () => {
  const t = (state: 'running' | 'waiting' | 'ok' | 'fail' | 'backoff'): ContainerTrack =>
    ({
      name: state,
      image: '',
      restartCount: 0,
      attempt: 0,
      done: false,
      state: state === 'running' ? { kind: 'running', startedAt: 0 } : state === 'waiting' || state === 'backoff' ? { kind: 'waiting', reason: 'x' } : { kind: 'terminated', exitCode: state === 'ok' ? 0 : 1, reason: '', finishedAt: 0 },
      ...(state === 'backoff' ? { lastState: { kind: 'terminated', exitCode: 1, reason: 'Error', finishedAt: 0 } } : {}),
    }) as ContainerTrack
  assert.is(getPhase([t('waiting'), t('running')], 'Always', false), 'Pending')
  assert.is(getPhase([t('ok'), t('running')], 'Never', false), 'Running')
  assert.is(getPhase([t('ok'), t('fail')], 'Always', false), 'Running')
  assert.is(getPhase([t('ok'), t('fail')], 'OnFailure', false), 'Running')
  assert.is(getPhase([t('ok'), t('fail')], 'Never', false), 'Failed')
  assert.is(getPhase([t('ok'), t('ok')], 'OnFailure', false), 'Succeeded')
  assert.is(getPhase([t('ok'), t('ok')], 'Always', false), 'Running')
  assert.is(getPhase([t('ok'), t('ok')], 'Always', true), 'Succeeded')
  assert.is(getPhase([t('backoff')], 'Always', false), 'Running')
})

test.run()
