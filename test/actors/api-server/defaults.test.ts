import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { addDefaultTolerations, defaultNode, defaultPod, defaultPullPolicy, imageTag } from '../../../actors/api-server/defaults.js'

const demo = (): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'command-demo' },
  spec: { containers: [{ name: 'demo-container', image: 'debian', command: ['printenv'], args: ['HOSTNAME', 'KUBERNETES_PORT'] }] },
})

test('defaultPod fills in what Kubernetes defaults', () => {
  const pod = defaultPod(demo())
  assert.equal(pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'command-demo', namespace: 'default' },
    spec: {
      containers: [
        {
          name: 'demo-container',
          image: 'debian',
          command: ['printenv'],
          args: ['HOSTNAME', 'KUBERNETES_PORT'],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'Always',
          resources: {},
        },
      ],
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      priority: 0,
    },
  })
})

test('defaultPod does not mutate its input and keeps what the user set', () => {
  const input = demo()
  input.metadata!.namespace = 'prod'
  input.spec!.restartPolicy = 'Never'
  input.spec!.terminationGracePeriodSeconds = 0
  input.spec!.enableServiceLinks = false
  input.spec!.containers[0].imagePullPolicy = 'Never'
  const before = JSON.stringify(input)
  const pod = defaultPod(input)
  assert.is(JSON.stringify(input), before)
  assert.is(pod.metadata!.namespace, 'prod')
  assert.is(pod.spec!.restartPolicy, 'Never')
  assert.is(pod.spec!.terminationGracePeriodSeconds, 0)
  assert.is(pod.spec!.enableServiceLinks, false)
  assert.is(pod.spec!.containers[0].imagePullPolicy, 'Never')
})

test('imagePullPolicy: Always for :latest or no tag, IfNotPresent for a tag or a digest', () => {
  const cases: [string, string][] = [
    ['debian', 'Always'],
    ['debian:latest', 'Always'],
    ['debian:12', 'IfNotPresent'],
    ['registry.local:5000/team/app', 'Always'],
    ['registry.local:5000/team/app:v2', 'IfNotPresent'],
    ['busybox@sha256:4b8a0e2e1a8c1b7f3f9d2d3a1c0f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39', 'IfNotPresent'],
    ['busybox:latest@sha256:4b8a0e2e1a8c1b7f3f9d2d3a1c0f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39', 'Always'],
  ]
  for (const [image, want] of cases) {
    assert.is(defaultPullPolicy(image), want, image)
    const pod = demo()
    pod.spec!.containers[0].image = image
    assert.is(defaultPod(pod).spec!.containers[0].imagePullPolicy, want, image)
  }
  assert.is(imageTag('localhost:5000/app'), 'latest')
  assert.is(imageTag('app@sha256:abc'), '')
})

test('ports default to TCP; requests default to limits per resource', () => {
  const pod = demo()
  pod.spec!.containers[0].ports = [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }]
  pod.spec!.containers[0].resources = { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } }
  const c = defaultPod(pod).spec!.containers[0]
  assert.equal(c.ports, [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }])
  assert.equal(c.resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } })
  assert.equal(pod.spec!.containers[0].resources!.requests, { cpu: '100m' }, 'input untouched')
})

test('hostNetwork pods get hostPort = containerPort', () => {
  const pod = demo()
  pod.spec!.hostNetwork = true
  pod.spec!.containers[0].ports = [{ containerPort: 8080 }]
  assert.equal(defaultPod(pod).spec!.containers[0].ports, [{ containerPort: 8080, protocol: 'TCP', hostPort: 8080 }])
})

test('fields of the wrong type are left for validation to report', () => {
  const pod = demo() as any
  pod.spec.containers = 'not-a-list'
  pod.metadata = 'not-an-object'
  const out = defaultPod(pod) as any
  assert.is(out.spec.containers, 'not-a-list')
  assert.is(out.metadata, 'not-an-object')
})

test('addDefaultTolerations adds not-ready and unreachable NoExecute tolerations', () => {
  const pod = addDefaultTolerations(demo())
  assert.equal(pod.spec!.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ])
  const short = addDefaultTolerations(demo(), { notReadySeconds: 10, unreachableSeconds: 20 })
  assert.equal(short.spec!.tolerations!.map((t) => t.tolerationSeconds), [10, 20])
})

test('addDefaultTolerations respects tolerations the pod already has', () => {
  const own = demo()
  own.spec!.tolerations = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]
  assert.equal(addDefaultTolerations(own).spec!.tolerations!.map((t) => [t.key, t.tolerationSeconds]), [
    ['node.kubernetes.io/not-ready', 60],
    ['node.kubernetes.io/unreachable', 300],
  ])
  const all = demo()
  all.spec!.tolerations = [{ operator: 'Exists' }] // tolerates everything
  assert.equal(addDefaultTolerations(all).spec!.tolerations, [{ operator: 'Exists' }])
  const anyEffect = demo()
  anyEffect.spec!.tolerations = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }]
  assert.is(addDefaultTolerations(anyEffect).spec!.tolerations!.length, 2)
  const noSchedule = demo()
  noSchedule.spec!.tolerations = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }]
  assert.is(addDefaultTolerations(noSchedule).spec!.tolerations!.length, 3, 'a NoSchedule toleration does not cover NoExecute')
  assert.is(demo().spec!.tolerations, undefined, 'input untouched')
})

test('defaultNode keeps spec and status objects, allocatable defaults to capacity', () => {
  assert.equal(defaultNode({ metadata: { name: 'n1' } } as Node), { metadata: { name: 'n1' }, spec: {}, status: {} })
  const input: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { capacity: { cpu: '4' } } }
  const node = defaultNode(input)
  assert.equal(node.status, { capacity: { cpu: '4' }, allocatable: { cpu: '4' } })
  assert.equal(input.status, { capacity: { cpu: '4' } }, 'input untouched')
})

test.run()
