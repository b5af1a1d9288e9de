import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { ContainerState, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import { podHeaders, podRow } from '../../../../runtime/cli/print/pods.js'
import { formatTable } from '../../../../runtime/cli/print/table.js'

const now = Date.parse('2024-05-01T12:00:00Z')
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString().replace('.000Z', 'Z')

function pod(status: Pod['status'], extra: { spec?: Partial<NonNullable<Pod['spec']>>; deleted?: boolean; name?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: extra.name ?? 'web',
      namespace: 'default',
      creationTimestamp: ago(300),
      ...(extra.deleted ? { deletionTimestamp: ago(10) } : {}),
    },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...extra.spec },
    status,
  }
}

function cs(state: ContainerState, more: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name: 'app', image: 'nginx', imageID: '', ready: false, restartCount: 0, state, ...more }
}

const running: ContainerState = { running: { startedAt: ago(290) } }
const readyTrue: PodCondition[] = [{ type: 'Ready', status: 'True' }]
const readyFalse: PodCondition[] = [{ type: 'Ready', status: 'False' }]
const exited = (reason: string | undefined, exitCode: number, signal?: number): ContainerState => ({ terminated: { reason, exitCode, signal, finishedAt: ago(60) } })

// [case, pod, NAME READY STATUS RESTARTS AGE]
const cases: [string, Pod, string[]][] = [
  ['running and ready', pod({ phase: 'Running', conditions: readyTrue, containerStatuses: [cs(running, { ready: true })] }), ['web', '1/1', 'Running', '0', '5m']],
  ['pending, not scheduled yet', pod({ phase: 'Pending' }), ['web', '0/1', 'Pending', '0', '5m']],
  ['pulling the image', pod({ phase: 'Pending', containerStatuses: [cs({ waiting: { reason: 'ContainerCreating' } })] }), ['web', '0/1', 'ContainerCreating', '0', '5m']],
  [
    'crash looping, restarts with the time of the last exit',
    pod({
      phase: 'Running',
      conditions: readyFalse,
      containerStatuses: [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { restartCount: 3, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(45) } } })],
    }),
    ['web', '0/1', 'CrashLoopBackOff', '3 (45s ago)', '5m'],
  ],
  [
    'restarted but running again',
    pod({ phase: 'Running', conditions: readyTrue, containerStatuses: [cs(running, { ready: true, restartCount: 1, lastState: { terminated: { exitCode: 137, finishedAt: ago(130) } } })] }),
    ['web', '1/1', 'Running', '1 (2m10s ago)', '5m'],
  ],
  ['succeeded', pod({ phase: 'Succeeded', containerStatuses: [cs(exited('Completed', 0))] }), ['web', '0/1', 'Completed', '0', '5m']],
  ['failed', pod({ phase: 'Failed', containerStatuses: [cs(exited('Error', 1))] }), ['web', '0/1', 'Error', '0', '5m']],
  ['exited without a reason', pod({ phase: 'Failed', containerStatuses: [cs(exited(undefined, 137))] }), ['web', '0/1', 'ExitCode:137', '0', '5m']],
  ['killed by a signal', pod({ phase: 'Failed', containerStatuses: [cs(exited(undefined, 0, 9))] }), ['web', '0/1', 'Signal:9', '0', '5m']],
  ['evicted', pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }), ['web', '0/1', 'Evicted', '0', '5m']],
  ['deleted, still terminating', pod({ phase: 'Running', conditions: readyTrue, containerStatuses: [cs(running, { ready: true })] }, { deleted: true }), ['web', '1/1', 'Terminating', '0', '5m']],
  ['deleted after it completed', pod({ phase: 'Succeeded', containerStatuses: [cs(exited('Completed', 0))] }, { deleted: true }), ['web', '0/1', 'Completed', '0', '5m']],
  ['deleted on a lost node', pod({ phase: 'Running', reason: 'NodeLost', containerStatuses: [cs(running, { ready: true })] }, { deleted: true }), ['web', '1/1', 'Unknown', '0', '5m']],
  ['scheduling gated', pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), ['web', '0/1', 'SchedulingGated', '0', '5m']],
  [
    'one container completed while another runs, pod not ready',
    pod(
      { phase: 'Running', conditions: readyFalse, containerStatuses: [cs(exited('Completed', 0), { name: 'job' }), cs(running, { name: 'app', ready: true })] },
      { spec: { containers: [{ name: 'job' }, { name: 'app' }] } },
    ),
    ['web', '1/2', 'NotReady', '0', '5m'],
  ],
  [
    'one container completed while another runs, pod ready',
    pod(
      { phase: 'Running', conditions: readyTrue, containerStatuses: [cs(exited('Completed', 0), { name: 'job' }), cs(running, { name: 'app', ready: true })] },
      { spec: { containers: [{ name: 'job' }, { name: 'app' }] } },
    ),
    ['web', '1/2', 'Running', '0', '5m'],
  ],
  [
    'the first container with a reason decides',
    pod(
      { phase: 'Pending', containerStatuses: [cs({ waiting: { reason: 'ErrImagePull' } }, { name: 'a' }), cs({ waiting: { reason: 'ContainerCreating' } }, { name: 'b' })] },
      { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
    ),
    ['web', '0/2', 'ErrImagePull', '0', '5m'],
  ],
]

const withInit = (initStatuses: ContainerStatus[], initNames = ['init']) =>
  pod(
    { phase: 'Pending', conditions: [{ type: 'Initialized', status: 'False' }], initContainerStatuses: initStatuses, containerStatuses: [cs({ waiting: { reason: 'PodInitializing' } })] },
    { spec: { initContainers: initNames.map((name) => ({ name, image: 'busybox' })) } },
  )

cases.push(
  ['init container running', withInit([cs(running, { name: 'init' })]), ['web', '0/1', 'Init:0/1', '0', '5m']],
  ['second init container running', withInit([cs(exited('Completed', 0), { name: 'a' }), cs(running, { name: 'b' })], ['a', 'b']), ['web', '0/1', 'Init:1/2', '0', '5m']],
  [
    'init container crash looping',
    withInit([cs({ waiting: { reason: 'CrashLoopBackOff' } }, { name: 'init', restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(20) } } })]),
    ['web', '0/1', 'Init:CrashLoopBackOff', '2 (20s ago)', '5m'],
  ],
  ['init container failed', withInit([cs(exited('Error', 1), { name: 'init' })]), ['web', '0/1', 'Init:Error', '0', '5m']],
  ['init container exited without a reason', withInit([cs(exited(undefined, 2), { name: 'init' })]), ['web', '0/1', 'Init:ExitCode:2', '0', '5m']],
  [
    'sidecar started, app running',
    pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }, ...readyTrue],
        initContainerStatuses: [cs(running, { name: 'proxy', ready: true, started: true, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(100) } } })],
        containerStatuses: [cs(running, { ready: true })],
      },
      { spec: { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] } },
    ),
    ['web', '2/2', 'Running', '1 (100s ago)', '5m'],
  ],
)

test('READY, STATUS and RESTARTS follow kubectl printPod', () => {
  for (const [name, p, want] of cases) assert.equal(podRow(p, now), want, name)
})

test('AGE is <unknown> without a creation timestamp', () => {
  const p: Pod = { ...pod({ phase: 'Pending' }), metadata: { name: 'web', namespace: 'default' } }
  assert.equal(podRow(p, now), ['web', '0/1', 'Pending', '0', '<unknown>'])
})

test('-o wide adds IP, NODE, NOMINATED NODE, READINESS GATES', () => {
  assert.equal(podHeaders(true, false), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'])
  const pending = pod({ phase: 'Pending' })
  assert.equal(podRow(pending, now, { wide: true }), ['web', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>'])

  const bound = pod(
    { phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], nominatedNodeName: 'n2', conditions: [...readyTrue, { type: 'example.com/lb', status: 'True' }], containerStatuses: [cs(running, { ready: true })] },
    { spec: { nodeName: 'n1', readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] } },
  )
  assert.equal(podRow(bound, now, { wide: true }), ['web', '1/1', 'Running', '0', '5m', '10.244.1.5', 'n1', 'n2', '1/2'])

  const podIPOnly = pod({ phase: 'Running', podIP: '10.0.0.7' }, { spec: { nodeName: 'n1' } })
  assert.is(podRow(podIPOnly, now, { wide: true })[5], '10.0.0.7')
})

test('-A puts NAMESPACE first', () => {
  assert.equal(podHeaders(false, true), ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'])
  assert.equal(podRow(pod({ phase: 'Pending' }), now, { allNamespaces: true }), ['default', 'web', '0/1', 'Pending', '0', '5m'])
})

test('the table a user sees for kubectl get pods', () => {
  const pods = [
    pod({ phase: 'Succeeded', containerStatuses: [cs(exited('Completed', 0))] }, { name: 'command-demo' }),
    pod(
      { phase: 'Running', conditions: readyFalse, containerStatuses: [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: ago(45) } } })] },
      { name: 'crasher' },
    ),
    pod({ phase: 'Running', conditions: readyTrue, containerStatuses: [cs(running, { ready: true })] }, { name: 'web-1', deleted: true }),
  ]
  const got = formatTable(
    podHeaders(false, false),
    pods.map((p) => podRow(p, now)),
  )
  assert.is(
    got,
    [
      'NAME           READY   STATUS             RESTARTS      AGE',
      'command-demo   0/1     Completed          0             5m',
      'crasher        0/1     CrashLoopBackOff   3 (45s ago)   5m',
      'web-1          1/1     Terminating        0             5m',
    ].join('\n'),
  )
})

test.run()
