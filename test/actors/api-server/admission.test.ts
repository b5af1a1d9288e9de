import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import {
  admitNodeCreate,
  admitNodeUpdate,
  admitPodCreate,
  admitPodUpdate,
  podQOSClass,
  type AdmissionContext,
} from '../../../actors/api-server/admission.js'

const NOW = '2024-05-01T12:00:00Z'
const ctx: AdmissionContext = { namespace: 'default', now: NOW, uid: 'uid-1', generatedSuffix: 'x7k2q' }

const demo = (): any => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'command-demo' },
  spec: { containers: [{ name: 'demo-container', image: 'debian', command: ['printenv'], args: ['HOSTNAME', 'KUBERNETES_PORT'] }] },
})

function created(raw: unknown, c: AdmissionContext = ctx): Pod {
  const res = admitPodCreate(raw, c)
  if (!res.ok) throw new Error(`expected admission, got ${JSON.stringify(res.status)}`)
  return res.pod
}

function refused(res: { ok: true } | { ok: false; status: { code?: number; reason?: string; message?: string; details?: { causes?: { field?: string; reason?: string; message?: string }[] } } }) {
  if (res.ok) throw new Error('expected a refusal')
  return res.status
}

test('create: the command-demo pod is admitted with defaults, system fields and status', () => {
  const pod = created(demo())
  assert.is(pod.metadata!.name, 'command-demo')
  assert.is(pod.metadata!.namespace, 'default')
  assert.is(pod.metadata!.uid, 'uid-1')
  assert.is(pod.metadata!.creationTimestamp, NOW)
  assert.equal(pod.status, { phase: 'Pending', qosClass: 'BestEffort' })
  assert.is(pod.spec!.restartPolicy, 'Always')
  assert.is(pod.spec!.containers[0].imagePullPolicy, 'Always')
  assert.equal(pod.spec!.tolerations!.map((t) => t.key), ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'])
  assert.equal(Object.keys(pod), ['apiVersion', 'kind', 'metadata', 'spec', 'status'])
})

test('create: client-set status and system metadata are dropped', () => {
  const raw = demo()
  raw.metadata.uid = 'mine'
  raw.metadata.resourceVersion = '42'
  raw.metadata.creationTimestamp = '2000-01-01T00:00:00Z'
  raw.metadata.deletionTimestamp = '2000-01-01T00:00:00Z'
  raw.metadata.deletionGracePeriodSeconds = 5
  raw.status = { phase: 'Running', podIP: '10.0.0.1' }
  const pod = created(raw)
  assert.is(pod.metadata!.uid, 'uid-1')
  assert.is(pod.metadata!.creationTimestamp, NOW)
  assert.is(pod.metadata!.resourceVersion, undefined)
  assert.is(pod.metadata!.deletionTimestamp, undefined)
  assert.is(pod.metadata!.deletionGracePeriodSeconds, undefined)
  assert.equal(pod.status, { phase: 'Pending', qosClass: 'BestEffort' })
  assert.is(raw.metadata.uid, 'mine', 'input untouched')
})

test('create: generateName gets the suffix; a long prefix is cut to 58 characters', () => {
  const raw = demo()
  delete raw.metadata.name
  raw.metadata.generateName = 'demo-'
  assert.is(created(raw).metadata!.name, 'demo-x7k2q')
  raw.metadata.generateName = 'a'.repeat(70)
  assert.is(created(raw).metadata!.name, 'a'.repeat(58) + 'x7k2q')
  assert.is(created(raw, { ...ctx, generatedSuffix: undefined, name: 'given-by-caller' }).metadata!.name, 'given-by-caller')
  const named = demo()
  named.metadata.generateName = 'ignored-'
  assert.is(created(named).metadata!.name, 'command-demo', 'an explicit name wins')
})

test('create: namespace comes from the request, the body, or "default"', () => {
  assert.is(created(demo(), { ...ctx, namespace: 'team-a' }).metadata!.namespace, 'team-a')
  const inBody = demo()
  inBody.metadata.namespace = 'team-b'
  assert.is(created(inBody, { ...ctx, namespace: undefined }).metadata!.namespace, 'team-b')
  assert.is(created(inBody, { ...ctx, namespace: 'team-b' }).metadata!.namespace, 'team-b')
  assert.is(created(demo(), { ...ctx, namespace: undefined }).metadata!.namespace, 'default')
})

test('create: a namespace mismatch is a 400', () => {
  const raw = demo()
  raw.metadata.namespace = 'other'
  const status = refused(admitPodCreate(raw, ctx))
  assert.is(status.code, 400)
  assert.is(status.reason, 'BadRequest')
  assert.is(status.message, 'the namespace of the provided object does not match the namespace sent on the request')
})

test('create: bodies that are not a v1 Pod are 400s', () => {
  const cases: [unknown, RegExp][] = [
    [null, /^the object provided is unrecognized \(must be of type Pod\): couldn't get version\/kind; json parse error/],
    [[demo()], /^the object provided is unrecognized \(must be of type Pod\)/],
    ['pod', /^the object provided is unrecognized \(must be of type Pod\)/],
    [{ ...demo(), kind: 'Service' }, /^Service in version "v1" cannot be handled as a Pod/],
    [{ ...demo(), apiVersion: 'apps/v1' }, /^the API version in the data \(apps\/v1\) does not match the expected API version \(v1\)$/],
    [{ ...demo(), kind: 7 }, /cannot unmarshal number into Go struct field \.kind of type string/],
  ]
  for (const [raw, message] of cases) {
    const status = refused(admitPodCreate(raw, ctx))
    assert.is(status.code, 400, JSON.stringify(raw))
    assert.is(status.reason, 'BadRequest')
    assert.match(status.message!, message)
  }
})

test('create: missing kind and apiVersion are taken from the endpoint, as Kubernetes decodes', () => {
  const raw = demo()
  delete raw.kind
  delete raw.apiVersion
  const pod = created(raw)
  assert.is(pod.kind, 'Pod')
  assert.is(pod.apiVersion, 'v1')
})

test('create: an invalid pod is a 422 with the causes', () => {
  const raw = demo()
  delete raw.spec.containers[0].image
  raw.spec.restartPolicy = 'Sometimes'
  const status = refused(admitPodCreate(raw, ctx))
  assert.is(status.code, 422)
  assert.is(status.reason, 'Invalid')
  assert.equal(status.details!.causes!.map((c) => [c.field, c.reason]), [
    ['spec.containers[0].image', 'FieldValueRequired'],
    ['spec.restartPolicy', 'FieldValueNotSupported'],
  ])
  assert.match(status.message!, /^Pod "command-demo" is invalid: spec\.containers\[0\]\.image: Required value/)
})

test('create: a type error in the body is a 422 naming the field', () => {
  const raw = demo()
  raw.spec.containers[0].image = 7
  const status = refused(admitPodCreate(raw, ctx))
  assert.is(status.code, 422)
  assert.equal(status.details!.causes!.map((c) => [c.field, c.reason]), [['spec.containers[0].image', 'FieldValueTypeInvalid']])
})

test('create: quantities are stored in canonical form', () => {
  const raw = demo()
  raw.spec.containers[0].resources = { requests: { cpu: '0.5', memory: '1024Mi' }, limits: { cpu: 1, memory: '1Gi' } }
  const c = created(raw).spec!.containers[0]
  assert.equal(c.resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } })
})

const withResources = (...containers: { requests?: Record<string, string>; limits?: Record<string, string> }[]): Pod =>
  ({ metadata: { name: 'p' }, spec: { containers: containers.map((resources, i) => ({ name: `c${i}`, image: 'x', resources })) } }) as Pod

test('QoS class per GetPodQOS', () => {
  const cases: [Pod, string][] = [
    [withResources({}), 'BestEffort'],
    [withResources({ requests: { cpu: '0' } }), 'BestEffort'],
    [withResources({ requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '1' } }), 'BestEffort'],
    [withResources({ requests: { cpu: '100m' } }), 'Burstable'],
    [withResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }), 'Guaranteed'],
    [withResources({ requests: { cpu: '1000m', memory: '1024Mi' }, limits: { cpu: '1', memory: '1Gi' } }), 'Guaranteed'],
    [withResources({ limits: { cpu: '1', memory: '1Gi' } }), 'Burstable'], // before defaulting copies limits into requests
    [withResources({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }), 'Burstable'],
    [withResources({ limits: { cpu: '1' } }), 'Burstable'],
    [withResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, {}), 'Burstable'],
  ]
  for (const [pod, want] of cases) assert.is(podQOSClass(pod), want, JSON.stringify(pod.spec!.containers.map((c) => c.resources)))
  // After defaulting, limits-only pods have equal requests: admission says Guaranteed.
  const raw = demo()
  raw.spec.containers[0].resources = { limits: { cpu: '1', memory: '1Gi' } }
  assert.is(created(raw).status!.qosClass, 'Guaranteed')
  raw.spec.containers[0].resources = { requests: { cpu: '100m' } }
  assert.is(created(raw).status!.qosClass, 'Burstable')
})

/* ---------------------------------------------------------------------------------------------- */

function bound(): Pod {
  const pod = created(demo())
  return { ...pod, metadata: { ...pod.metadata, resourceVersion: '7' }, spec: { ...pod.spec!, nodeName: 'node-1' }, status: { phase: 'Running' } }
}

const uctx: AdmissionContext = { namespace: 'default', now: '2024-05-02T00:00:00Z', uid: 'uid-other', name: 'command-demo' }

function updated(current: Pod, raw: unknown, c: AdmissionContext = uctx): Pod {
  const res = admitPodUpdate(current, raw, c)
  if (!res.ok) throw new Error(`expected admission, got ${JSON.stringify(res.status)}`)
  return res.pod
}

test('update: labels, annotations and images may change; uid, creationTimestamp, status and nodeName are kept', () => {
  const current = bound()
  const raw = demo() // the user's manifest, with neither nodeName nor defaults
  raw.metadata.labels = { app: 'demo' }
  raw.metadata.annotations = { note: 'x' }
  raw.metadata.uid = 'uid-1'
  raw.spec.containers[0].image = 'debian:12'
  raw.status = { phase: 'Failed' }
  const pod = updated(current, raw)
  assert.equal(pod.metadata!.labels, { app: 'demo' })
  assert.equal(pod.metadata!.annotations, { note: 'x' })
  assert.is(pod.spec!.containers[0].image, 'debian:12')
  assert.is(pod.spec!.containers[0].imagePullPolicy, 'Always', 'the pull policy stays what it was')
  assert.is(pod.metadata!.uid, 'uid-1')
  assert.is(pod.metadata!.creationTimestamp, NOW)
  assert.is(pod.spec!.nodeName, 'node-1')
  assert.equal(pod.status, { phase: 'Running' })
  assert.is(pod.metadata!.resourceVersion, undefined)
})

test('update: the same manifest again is the same object', () => {
  const current = created(demo())
  const pod = updated(current, demo())
  assert.equal(pod, current)
  assert.is(JSON.stringify(pod), JSON.stringify(current))
})

test('update: other spec changes are forbidden with Kubernetes’ message', () => {
  const current = bound()
  const cases: ((p: any) => void)[] = [
    (p) => (p.spec.restartPolicy = 'Never'),
    (p) => (p.spec.containers[0].command = ['env']),
    (p) => (p.spec.containers[0].resources = { requests: { cpu: '1' } }),
    (p) => (p.spec.nodeName = 'node-2'),
  ]
  for (const mutate of cases) {
    const raw = demo()
    mutate(raw)
    const status = refused(admitPodUpdate(current, raw, uctx))
    assert.is(status.code, 422)
    const causes = status.details!.causes!
    assert.equal(causes.map((c) => [c.field, c.reason]), [['spec', 'FieldValueForbidden']], JSON.stringify(raw.spec))
    assert.ok(
      causes[0].message!.startsWith(
        'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
      ),
      causes[0].message,
    )
  }
})

test('update: containers may not be added or removed', () => {
  const raw = demo()
  raw.spec.containers.push({ name: 'sidecar', image: 'busybox' })
  const status = refused(admitPodUpdate(bound(), raw, uctx))
  assert.equal(status.details!.causes, [{ reason: 'FieldValueForbidden', message: 'Forbidden: pod updates may not add or remove containers', field: 'spec.containers' }])
})

test('update: tolerations may be added and their seconds changed, not otherwise modified', () => {
  const current = bound()
  const add = demo()
  add.spec.tolerations = [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }]
  const withDedicated = updated(current, add)
  assert.equal(withDedicated.spec!.tolerations!.map((t) => t.key), ['dedicated', 'node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'])
  const seconds = demo()
  seconds.spec.tolerations = [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }]
  assert.equal(updated(withDedicated, seconds).spec!.tolerations!.map((t) => t.tolerationSeconds), [undefined, 30, 300])
  const change = demo()
  change.spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }]
  const status = refused(admitPodUpdate(withDedicated, change, uctx))
  assert.equal(status.details!.causes!.map((c) => [c.field, c.message]), [['spec.tolerations', 'Forbidden: existing toleration can not be modified except its tolerationSeconds']])
})

test('update: activeDeadlineSeconds may be set and lowered, not raised or removed', () => {
  const raw = demo()
  raw.spec.activeDeadlineSeconds = 600
  const withDeadline = updated(bound(), raw)
  assert.is(withDeadline.spec!.activeDeadlineSeconds, 600)
  const current = { ...withDeadline, metadata: { ...withDeadline.metadata, resourceVersion: '8' } }
  raw.spec.activeDeadlineSeconds = 60
  assert.is(updated(current, raw).spec!.activeDeadlineSeconds, 60)
  raw.spec.activeDeadlineSeconds = 6000
  assert.equal(refused(admitPodUpdate(current, raw, uctx)).details!.causes!.map((c) => c.message), ['Invalid value: 6000: must be less than or equal to previous value'])
  delete raw.spec.activeDeadlineSeconds
  assert.equal(refused(admitPodUpdate(current, raw, uctx)).details!.causes!.map((c) => c.field), ['spec.activeDeadlineSeconds'])
})

test('update: name, namespace and uid must match the existing pod', () => {
  const current = bound()
  const renamed = demo()
  renamed.metadata.name = 'other'
  const s1 = refused(admitPodUpdate(current, renamed, uctx))
  assert.is(s1.code, 400)
  assert.is(s1.message, 'the name of the object (other) does not match the name on the URL (command-demo)')
  const moved = demo()
  moved.metadata.namespace = 'elsewhere'
  const s2 = refused(admitPodUpdate(current, moved, uctx))
  assert.is(s2.code, 400)
  assert.is(s2.message, 'the namespace of the object (elsewhere) does not match the namespace on the request (default)')
  const reUid = demo()
  reUid.metadata.uid = 'another'
  const s3 = refused(admitPodUpdate(current, reUid, uctx))
  assert.is(s3.code, 422)
  assert.equal(s3.details!.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: "another": field is immutable', field: 'metadata.uid' }])
})

test('update: an invalid label is a 422', () => {
  const raw = demo()
  raw.metadata.labels = { app: 'not ok' }
  const status = refused(admitPodUpdate(bound(), raw, uctx))
  assert.is(status.code, 422)
  assert.equal(status.details!.causes!.map((c) => c.field), ['metadata.labels'])
})

/* ---------------------------------------------------------------------------------------------- */

const nodeRaw = (): any => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
  spec: {},
  status: { capacity: { cpu: '4', memory: '8192Mi', pods: '110' } },
})

test('node create: uid, creationTimestamp, allocatable from capacity, canonical quantities', () => {
  const res = admitNodeCreate(nodeRaw(), { now: NOW, uid: 'node-uid' })
  if (!res.ok) throw new Error(JSON.stringify(res.status))
  const node = res.node
  assert.is(node.metadata!.uid, 'node-uid')
  assert.is(node.metadata!.creationTimestamp, NOW)
  assert.is(node.metadata!.namespace, undefined)
  assert.equal(node.status!.capacity, { cpu: '4', memory: '8Gi', pods: '110' })
  assert.equal(node.status!.allocatable, { cpu: '4', memory: '8Gi', pods: '110' })
  assert.equal(node.spec, {})
})

test('node create: a namespace in the body is dropped; wrong kind is a 400; invalid node a 422', () => {
  const raw = nodeRaw()
  raw.metadata.namespace = 'default'
  const res = admitNodeCreate(raw, { namespace: 'default', now: NOW, uid: 'u' })
  assert.ok(res.ok && res.node.metadata!.namespace === undefined)
  const wrong = refused(admitNodeCreate(demo(), { now: NOW, uid: 'u' }))
  assert.is(wrong.code, 400)
  assert.match(wrong.message!, /^Pod in version "v1" cannot be handled as a Node/)
  const bad = nodeRaw()
  bad.status.capacity.cpu = '-1'
  bad.spec.taints = [{ key: 'k', effect: 'Never' }]
  const status = refused(admitNodeCreate(bad, { now: NOW, uid: 'u' }))
  assert.is(status.code, 422)
  assert.match(status.message!, /^Node "node-1" is invalid: /)
  assert.equal(status.details!.causes!.map((c) => [c.field, c.reason]), [
    ['spec.taints[0].effect', 'FieldValueNotSupported'],
    ['status.capacity.cpu', 'FieldValueInvalid'],
    ['status.allocatable.cpu', 'FieldValueInvalid'], // allocatable defaulted from capacity
  ])
})

test('node update: spec and labels change, status and uid stay; providerID is set once', () => {
  const first = admitNodeCreate({ ...nodeRaw(), spec: { providerID: 'kstate://node-1' } }, { now: NOW, uid: 'node-uid' })
  if (!first.ok) throw new Error(JSON.stringify(first.status))
  const current: Node = first.node
  const raw = nodeRaw()
  raw.spec = { providerID: 'kstate://node-1', unschedulable: true, taints: [{ key: 'maintenance', effect: 'NoSchedule' }] }
  raw.status = { capacity: { cpu: '64' } }
  const res = admitNodeUpdate(current, raw, { now: '2024-06-01T00:00:00Z', uid: 'ignored', name: 'node-1' })
  if (!res.ok) throw new Error(JSON.stringify(res.status))
  assert.is(res.node.spec!.unschedulable, true)
  assert.equal(res.node.status, current.status)
  assert.is(res.node.metadata!.uid, 'node-uid')
  assert.is(res.node.metadata!.creationTimestamp, NOW)
  raw.spec.providerID = 'kstate://elsewhere'
  const status = refused(admitNodeUpdate(current, raw, { now: NOW, uid: 'u', name: 'node-1' }))
  assert.equal(status.details!.causes!.map((c) => [c.field, c.reason]), [['spec.providerID', 'FieldValueForbidden']])
  const renamed = nodeRaw()
  renamed.metadata.name = 'node-2'
  assert.is(refused(admitNodeUpdate(current, renamed, { now: NOW, uid: 'u', name: 'node-1' })).code, 400)
})

test.run()
