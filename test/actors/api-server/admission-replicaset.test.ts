import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { AdmissionContext } from '../../../actors/api-server/admission.js'
import { admitReplicaSetCreate, admitReplicaSetUpdate, scaleReplicaSet } from '../../../actors/api-server/admission-replicaset.js'
import { selectorMatches, validateReplicaSetStatus } from '../../../actors/api-server/validation/replicaset.js'

const NOW = '2024-05-01T12:00:00Z'
const ctx: AdmissionContext = { namespace: 'default', now: NOW, uid: 'uid-rs', generatedSuffix: 'x7k2q' }

const frontend = (): any => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'frontend', labels: { app: 'guestbook' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { tier: 'frontend' } },
    template: { metadata: { labels: { tier: 'frontend' } }, spec: { containers: [{ name: 'php-redis', image: 'us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5' }] } },
  },
})

function created(raw: unknown, c: AdmissionContext = ctx): ReplicaSet {
  const res = admitReplicaSetCreate(raw, c)
  if (!res.ok) throw new Error(`expected admission, got ${JSON.stringify(res.status)}`)
  return res.replicaSet
}

type Refusal = { code?: number; reason?: string; message?: string; details?: { kind?: string; group?: string; causes?: { field?: string; reason?: string; message?: string }[] } }
function refused(res: { ok: true } | { ok: false; status: Refusal }): Refusal {
  if (res.ok) throw new Error('expected a refusal')
  return res.status
}

test('create: a valid ReplicaSet is admitted with system fields, defaults and an empty status', () => {
  const rs = created(frontend())
  assert.is(rs.metadata!.namespace, 'default')
  assert.is(rs.metadata!.uid, 'uid-rs')
  assert.is(rs.metadata!.creationTimestamp, NOW)
  assert.is(rs.metadata!.generation, 1)
  assert.equal(rs.status, { replicas: 0 })
  const spec = rs.spec!.template!.spec!
  assert.is(spec.restartPolicy, 'Always')
  assert.is(spec.dnsPolicy, 'ClusterFirst')
  assert.is(spec.terminationGracePeriodSeconds, 30)
  assert.is(spec.containers[0].imagePullPolicy, 'IfNotPresent')
  assert.equal(spec.containers[0].resources, {})
  // Pod-only defaults stay off the template: the pods get them at their own admission.
  assert.is(spec.priority, undefined)
  assert.is(spec.enableServiceLinks, undefined)
  assert.is(spec.tolerations, undefined)
  assert.equal(Object.keys(rs), ['apiVersion', 'kind', 'metadata', 'spec', 'status'])
})

test('create: replicas default to 1; limits are not copied into template requests; quantities canonical', () => {
  const raw = frontend()
  delete raw.spec.replicas
  raw.spec.template.spec.containers[0].resources = { limits: { cpu: '1000m', memory: '128Mi' } }
  const rs = created(raw)
  assert.is(rs.spec!.replicas, 1)
  assert.equal(rs.spec!.template!.spec!.containers[0].resources, { limits: { cpu: '1', memory: '128Mi' } })
})

test('create: generateName, and client-set system metadata and status dropped', () => {
  const raw = frontend()
  delete raw.metadata.name
  raw.metadata.generateName = 'web-'
  raw.metadata.uid = 'mine'
  raw.metadata.generation = 7
  raw.status = { replicas: 9 }
  const rs = created(raw)
  assert.is(rs.metadata!.name, 'web-x7k2q')
  assert.is(rs.metadata!.uid, 'uid-rs')
  assert.is(rs.metadata!.generation, 1)
  assert.equal(rs.status, { replicas: 0 })
})

test('create: wrong kind or version is a 400', () => {
  const a = refused(admitReplicaSetCreate({ ...frontend(), kind: 'Pod' }, ctx))
  assert.is(a.code, 400)
  assert.match(a.message!, 'cannot be handled as a ReplicaSet')
  const b = refused(admitReplicaSetCreate({ ...frontend(), apiVersion: 'v1' }, ctx))
  assert.is(b.code, 400)
  assert.is(b.message, 'the API version in the data (v1) does not match the expected API version (apps/v1)')
  const c = refused(admitReplicaSetCreate([], ctx))
  assert.is(c.code, 400)
  assert.ok(c.message!.startsWith('the object provided is unrecognized (must be of type ReplicaSet): '), c.message)
  assert.is(refused(admitReplicaSetCreate({ ...frontend(), metadata: { name: 'frontend', namespace: 'prod' } }, ctx)).code, 400)
})

// Each row breaks one thing: [what, mutation, field, reason, message (exact, or a substring with `~`)]
type Row = [string, (rs: any) => void, string, string, string]
const rows: Row[] = [
  [
    'selector does not match the template labels',
    (rs) => (rs.spec.template.metadata.labels = { tier: 'backend' }),
    'spec.template.metadata.labels',
    'FieldValueInvalid',
    'Invalid value: {"tier":"backend"}: `selector` does not match template `labels`',
  ],
  ['negative replicas', (rs) => (rs.spec.replicas = -1), 'spec.replicas', 'FieldValueInvalid', 'Invalid value: -1: must be greater than or equal to 0'],
  ['negative minReadySeconds', (rs) => (rs.spec.minReadySeconds = -5), 'spec.minReadySeconds', 'FieldValueInvalid', 'Invalid value: -5: must be greater than or equal to 0'],
  ['missing selector', (rs) => delete rs.spec.selector, 'spec.selector', 'FieldValueRequired', 'Required value'],
  ['empty selector', (rs) => (rs.spec.selector = {}), 'spec.selector', 'FieldValueInvalid', 'Invalid value: {}: empty selector is invalid for deployment'],
  [
    'In without values',
    (rs) => (rs.spec.selector = { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }),
    'spec.selector.matchExpressions[0].values',
    'FieldValueRequired',
    "Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ],
  [
    'unknown operator',
    (rs) => (rs.spec.selector = { matchExpressions: [{ key: 'tier', operator: 'Near' }] }),
    'spec.selector.matchExpressions[0].operator',
    'FieldValueInvalid',
    'Invalid value: "Near": not a valid selector operator',
  ],
  ['bad selector label value', (rs) => (rs.spec.selector.matchLabels = { tier: '-x' }), 'spec.selector.matchLabels', 'FieldValueInvalid', '~a valid label must be an empty string'],
  ['container without image', (rs) => delete rs.spec.template.spec.containers[0].image, 'spec.template.spec.containers[0].image', 'FieldValueRequired', 'Required value'],
  ['no containers', (rs) => (rs.spec.template.spec.containers = []), 'spec.template.spec.containers', 'FieldValueRequired', 'Required value'],
  [
    'restartPolicy other than Always',
    (rs) => (rs.spec.template.spec.restartPolicy = 'OnFailure'),
    'spec.template.spec.restartPolicy',
    'FieldValueNotSupported',
    'Unsupported value: "OnFailure": supported values: "Always"',
  ],
  [
    'activeDeadlineSeconds',
    (rs) => (rs.spec.template.spec.activeDeadlineSeconds = 30),
    'spec.template.spec.activeDeadlineSeconds',
    'FieldValueForbidden',
    'Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
  ],
  ['uppercase name', (rs) => (rs.metadata.name = 'Frontend'), 'metadata.name', 'FieldValueInvalid', '~a lowercase RFC 1123 subdomain'],
  ['bad template label key', (rs) => (rs.spec.template.metadata.labels['a/b/c'] = 'x'), 'spec.template.labels', 'FieldValueInvalid', '~a qualified name'],
  ['replicas not an integer', (rs) => (rs.spec.replicas = 'three'), 'spec.replicas', 'FieldValueTypeInvalid', '~json: cannot unmarshal string'],
]

for (const [what, mutate, field, reason, message] of rows) {
  test(`create refused (422): ${what}`, () => {
    const raw = frontend()
    mutate(raw)
    const status = refused(admitReplicaSetCreate(raw, ctx))
    assert.is(status.code, 422)
    assert.is(status.reason, 'Invalid')
    assert.is(status.details?.kind, 'ReplicaSet')
    assert.is(status.details?.group, 'apps')
    const cause = status.details?.causes?.find((c) => c.field === field)
    assert.ok(cause, `no cause for ${field} in ${JSON.stringify(status.details?.causes)}`)
    assert.is(cause!.reason, reason)
    if (message.startsWith('~')) assert.ok(cause!.message!.includes(message.slice(1)), cause!.message)
    else assert.is(cause!.message, message)
    assert.ok(status.message!.startsWith(`ReplicaSet.apps "${raw.metadata.name ?? ''}" is invalid: `), status.message)
  })
}

test('create refused: a missing selector also fails the template match (a nil selector matches nothing)', () => {
  const raw = frontend()
  delete raw.spec.selector
  const fields = refused(admitReplicaSetCreate(raw, ctx)).details!.causes!.map((c) => c.field)
  assert.equal(fields, ['spec.selector', 'spec.template.metadata.labels'])
})

test('selectors: matchLabels and every operator', () => {
  const sel = { matchLabels: { app: 'web' }, matchExpressions: [
    { key: 'tier', operator: 'In', values: ['a', 'b'] },
    { key: 'env', operator: 'NotIn', values: ['prod'] },
    { key: 'team', operator: 'Exists' },
    { key: 'legacy', operator: 'DoesNotExist' },
  ] }
  assert.ok(selectorMatches(sel, { app: 'web', tier: 'a', team: 'x' }))
  assert.not.ok(selectorMatches(sel, { app: 'web', tier: 'c', team: 'x' }))
  assert.not.ok(selectorMatches(sel, { app: 'web', tier: 'a', team: 'x', env: 'prod' }))
  assert.not.ok(selectorMatches(sel, { app: 'web', tier: 'a' }))
  assert.not.ok(selectorMatches(sel, { app: 'web', tier: 'a', team: 'x', legacy: '1' }))
  assert.not.ok(selectorMatches(sel, { app: 'api', tier: 'a', team: 'x' }))
})

test('update: the selector is immutable', () => {
  const current = created(frontend())
  const raw = frontend()
  raw.spec.selector = { matchLabels: { tier: 'frontend', track: 'stable' } }
  raw.spec.template.metadata.labels.track = 'stable'
  const status = refused(admitReplicaSetUpdate(current, raw, { ...ctx, name: 'frontend' }))
  assert.is(status.code, 422)
  const cause = status.details!.causes!.find((c) => c.field === 'spec.selector')!
  assert.is(cause.reason, 'FieldValueInvalid')
  assert.is(cause.message, 'Invalid value: {"matchLabels":{"tier":"frontend","track":"stable"}}: field is immutable')
})

test('update: a spec change is a new generation; status, uid and creationTimestamp are kept', () => {
  const current: ReplicaSet = { ...created(frontend()), status: { replicas: 3, readyReplicas: 3, observedGeneration: 1 } }
  const same = admitReplicaSetUpdate(current, { ...frontend(), status: { replicas: 99 } }, { ...ctx, now: '2030-01-01T00:00:00Z', uid: 'other' })
  assert.ok(same.ok)
  if (!same.ok) return
  assert.is(same.replicaSet.metadata!.generation, 1)
  assert.equal(same.replicaSet.status, current.status)
  assert.is(same.replicaSet.metadata!.uid, 'uid-rs')
  assert.is(same.replicaSet.metadata!.creationTimestamp, NOW)
  const raw = frontend()
  raw.spec.replicas = 5
  raw.metadata.labels = { app: 'guestbook', tier: 'frontend' }
  const scaled = admitReplicaSetUpdate(current, raw, ctx)
  assert.ok(scaled.ok)
  if (!scaled.ok) return
  assert.is(scaled.replicaSet.metadata!.generation, 2)
  assert.is(scaled.replicaSet.spec!.replicas, 5)
  assert.equal(scaled.replicaSet.metadata!.labels, { app: 'guestbook', tier: 'frontend' })
  // Metadata alone is not a new generation.
  const relabeled = admitReplicaSetUpdate(current, { ...frontend(), metadata: { name: 'frontend', labels: { x: 'y' } } }, ctx)
  assert.ok(relabeled.ok && relabeled.replicaSet.metadata!.generation === 1)
})

test('update: name and uid mismatches', () => {
  const current = created(frontend())
  assert.is(refused(admitReplicaSetUpdate(current, { ...frontend(), metadata: { name: 'other' } }, ctx)).code, 400)
  const uid = refused(admitReplicaSetUpdate(current, { ...frontend(), metadata: { name: 'frontend', uid: 'forged' } }, ctx))
  assert.is(uid.code, 422)
  assert.is(uid.details!.causes![0].field, 'metadata.uid')
})

test('scale: replicas must be a non-negative integer; a change is a new generation', () => {
  const current = created(frontend())
  const neg = refused(scaleReplicaSet(current, -1))
  assert.is(neg.code, 422)
  assert.is(neg.message, 'Scale.autoscaling "frontend" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0')
  assert.is(refused(scaleReplicaSet(current, 1.5)).code, 422)
  const up = scaleReplicaSet(current, 10)
  assert.ok(up.ok && up.changed && up.replicaSet.spec!.replicas === 10 && up.replicaSet.metadata!.generation === 2)
  const same = scaleReplicaSet(current, 3)
  assert.ok(same.ok && !same.changed && same.replicaSet.metadata!.generation === 1)
  assert.ok(scaleReplicaSet(current, 0).ok)
})

test('status: counters non-negative and within replicas', () => {
  assert.equal(validateReplicaSetStatus({ replicas: 3, readyReplicas: 3, availableReplicas: 2 }), [])
  assert.equal(
    validateReplicaSetStatus({ replicas: 1, readyReplicas: 2 }).map((c) => c.field),
    ['status.readyReplicas'],
  )
  // As in Go, a negative replicas also puts every zero counter above it.
  assert.is(validateReplicaSetStatus({ replicas: -1 })[0].message, 'Invalid value: -1: must be greater than or equal to 0')
})

test.run()
