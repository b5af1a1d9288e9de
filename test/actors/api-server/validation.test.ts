import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isValidLabelValue } from '../../../actors/api-server/validation/names.js'
import { validateNode } from '../../../actors/api-server/validation/node.js'
import { validatePod } from '../../../actors/api-server/validation/pod.js'

const demo = (): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'command-demo' },
  spec: { containers: [{ name: 'demo-container', image: 'debian', command: ['printenv'], args: ['HOSTNAME', 'KUBERNETES_PORT'] }] },
})

// Each row breaks one thing in the command-demo pod: [what, mutation, field, reason, message?]
type Row = [string, (p: any) => void, string, string, string?]
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
const QUANTITY_MSG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
const c0 = 'spec.containers[0]'

const rows: Row[] = [
  ['no name, no generateName', (p) => delete p.metadata.name, 'metadata.name', 'FieldValueRequired', 'Required value: name or generateName is required'],
  ['uppercase name', (p) => (p.metadata.name = 'Command-Demo'), 'metadata.name', 'FieldValueInvalid', `Invalid value: "Command-Demo": ${SUBDOMAIN_MSG}`],
  ['name too long', (p) => (p.metadata.name = 'a'.repeat(254)), 'metadata.name', 'FieldValueInvalid', 'Invalid value: "' + 'a'.repeat(254) + '": must be no more than 253 characters'],
  ['bad generateName', (p) => { delete p.metadata.name; p.metadata.generateName = 'Web-' }, 'metadata.generateName', 'FieldValueInvalid'],
  ['namespace with dots', (p) => (p.metadata.namespace = 'a.b'), 'metadata.namespace', 'FieldValueInvalid', 'Invalid value: "a.b": must not contain dots'],
  ['namespace uppercase', (p) => (p.metadata.namespace = 'Prod'), 'metadata.namespace', 'FieldValueInvalid', `Invalid value: "Prod": ${LABEL_MSG}`],
  ['bad label key', (p) => (p.metadata.labels = { 'a/b/c': 'x' }), 'metadata.labels', 'FieldValueInvalid'],
  ['bad label value', (p) => (p.metadata.labels = { app: '-x' }), 'metadata.labels', 'FieldValueInvalid'],
  ['bad annotation key', (p) => (p.metadata.annotations = { '/x': 'y' }), 'metadata.annotations', 'FieldValueInvalid', 'Invalid value: "/x": prefix part must be non-empty'],
  ['annotations too big', (p) => (p.metadata.annotations = { big: 'x'.repeat(256 * 1024) }), 'metadata.annotations', 'FieldValueTooLong', 'Too long: must have at most 262144 bytes'],
  ['no containers', (p) => (p.spec.containers = []), 'spec.containers', 'FieldValueRequired', 'Required value'],
  ['no spec at all', (p) => delete p.spec, 'spec.containers', 'FieldValueRequired', 'Required value'],
  ['container without name', (p) => delete p.spec.containers[0].name, `${c0}.name`, 'FieldValueRequired', 'Required value'],
  ['container name with dots', (p) => (p.spec.containers[0].name = 'a.b'), `${c0}.name`, 'FieldValueInvalid', 'Invalid value: "a.b": must not contain dots'],
  ['container name uppercase', (p) => (p.spec.containers[0].name = 'Demo'), `${c0}.name`, 'FieldValueInvalid', `Invalid value: "Demo": ${LABEL_MSG}`],
  ['duplicate container names', (p) => p.spec.containers.push({ name: 'demo-container', image: 'busybox' }), 'spec.containers[1].name', 'FieldValueDuplicate', 'Duplicate value: "demo-container"'],
  ['init container reusing a name', (p) => (p.spec.initContainers = [{ name: 'demo-container', image: 'busybox' }]), 'spec.initContainers[0].name', 'FieldValueDuplicate'],
  ['no image', (p) => delete p.spec.containers[0].image, `${c0}.image`, 'FieldValueRequired', 'Required value'],
  ['empty image', (p) => (p.spec.containers[0].image = ''), `${c0}.image`, 'FieldValueRequired', 'Required value'],
  ['image of the wrong type', (p) => (p.spec.containers[0].image = 7), `${c0}.image`, 'FieldValueTypeInvalid', 'Invalid value: 7: json: cannot unmarshal number into Go value of type string'],
  ['malformed cpu limit', (p) => (p.spec.containers[0].resources = { limits: { cpu: 'lots' } }), `${c0}.resources.limits[cpu]`, 'FieldValueInvalid', `Invalid value: "lots": ${QUANTITY_MSG}`],
  ['quantity with a space', (p) => (p.spec.containers[0].resources = { requests: { memory: '10 Mi' } }), `${c0}.resources.requests[memory]`, 'FieldValueInvalid', `Invalid value: "10 Mi": ${QUANTITY_MSG}`],
  ['quantity with a bad suffix', (p) => (p.spec.containers[0].resources = { requests: { memory: '1ki' } }), `${c0}.resources.requests[memory]`, 'FieldValueInvalid', `Invalid value: "1ki": unable to parse quantity's suffix`],
  ['quantity of the wrong type', (p) => (p.spec.containers[0].resources = { requests: { cpu: { much: true } } }), `${c0}.resources.requests[cpu]`, 'FieldValueInvalid', `Invalid value: {"much":true}: ${QUANTITY_MSG}`],
  ['negative memory request', (p) => (p.spec.containers[0].resources = { requests: { memory: '-64Mi' } }), `${c0}.resources.requests[memory]`, 'FieldValueInvalid', 'Invalid value: "-64Mi": must be greater than or equal to 0'],
  ['request above limit', (p) => (p.spec.containers[0].resources = { requests: { cpu: '1500m' }, limits: { cpu: '1' } }), `${c0}.resources.requests`, 'FieldValueInvalid', 'Invalid value: "1500m": must be less than or equal to cpu limit of 1'],
  ['unknown resource name', (p) => (p.spec.containers[0].resources = { requests: { gpu: '1' } }), `${c0}.resources.requests[gpu]`, 'FieldValueInvalid', 'Invalid value: "gpu": must be a standard resource for containers'],
  ['extended resource request without limit', (p) => (p.spec.containers[0].resources = { requests: { 'example.com/gpu': '1' } }), `${c0}.resources.limits`, 'FieldValueRequired', 'Required value: Limit must be set for non overcommitable resources'],
  ['unknown restartPolicy', (p) => (p.spec.restartPolicy = 'Sometimes'), 'spec.restartPolicy', 'FieldValueNotSupported', 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
  ['unknown imagePullPolicy', (p) => (p.spec.containers[0].imagePullPolicy = 'Maybe'), `${c0}.imagePullPolicy`, 'FieldValueNotSupported', 'Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"'],
  ['unknown dnsPolicy (schema enum)', (p) => (p.spec.dnsPolicy = 'Google'), 'spec.dnsPolicy', 'FieldValueNotSupported'],
  ['env name starting with a digit', (p) => (p.spec.containers[0].env = [{ name: '1X', value: 'y' }]), `${c0}.env[0].name`, 'FieldValueInvalid'],
  ['env name ..', (p) => (p.spec.containers[0].env = [{ name: '..' }]), `${c0}.env[0].name`, 'FieldValueInvalid', "Invalid value: \"..\": must not be '..'"],
  ['env without name', (p) => (p.spec.containers[0].env = [{ value: 'y' }]), `${c0}.env[0].name`, 'FieldValueRequired'],
  ['env with value and valueFrom', (p) => (p.spec.containers[0].env = [{ name: 'X', value: 'y', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]), `${c0}.env[0].valueFrom`, 'FieldValueInvalid', 'Invalid value: "": may not be specified when `value` is not empty'],
  ['command as a string', (p) => (p.spec.containers[0].command = 'printenv'), `${c0}.command`, 'FieldValueTypeInvalid'],
  ['args with a number', (p) => (p.spec.containers[0].args = ['HOSTNAME', 8080]), `${c0}.args[1]`, 'FieldValueTypeInvalid', 'Invalid value: 8080: json: cannot unmarshal number into Go value of type string'],
  ['negative grace period', (p) => (p.spec.terminationGracePeriodSeconds = -1), 'spec.terminationGracePeriodSeconds', 'FieldValueInvalid', 'Invalid value: -1: must be greater than or equal to 0'],
  ['grace period as a string', (p) => (p.spec.terminationGracePeriodSeconds = '30'), 'spec.terminationGracePeriodSeconds', 'FieldValueTypeInvalid'],
  ['activeDeadlineSeconds 0', (p) => (p.spec.activeDeadlineSeconds = 0), 'spec.activeDeadlineSeconds', 'FieldValueInvalid', 'Invalid value: 0: must be between 1 and 2147483647, inclusive'],
  ['containerPort out of range', (p) => (p.spec.containers[0].ports = [{ containerPort: 70000 }]), `${c0}.ports[0].containerPort`, 'FieldValueInvalid', 'Invalid value: 70000: must be between 1 and 65535, inclusive'],
  ['unknown port protocol', (p) => (p.spec.containers[0].ports = [{ containerPort: 80, protocol: 'HTTP' }]), `${c0}.ports[0].protocol`, 'FieldValueNotSupported', 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  ['nodeName not a subdomain', (p) => (p.spec.nodeName = 'Node_1'), 'spec.nodeName', 'FieldValueInvalid'],
  ['ephemeral containers on create', (p) => (p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox' }]), 'spec.ephemeralContainers', 'FieldValueForbidden', 'Forbidden: cannot be set on create'],
  ['toleration operator', (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Maybe' }]), 'spec.tolerations[0].operator', 'FieldValueNotSupported', 'Unsupported value: "Maybe": supported values: "Equal", "Exists"'],
  ['toleration effect', (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoRun' }]), 'spec.tolerations[0].effect', 'FieldValueNotSupported', 'Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
  ['tolerationSeconds without NoExecute', (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 10 }]), 'spec.tolerations[0].effect', 'FieldValueInvalid', 'Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set'],
  ['empty key needs Exists', (p) => (p.spec.tolerations = [{ operator: 'Equal', value: 'v' }]), 'spec.tolerations[0].operator', 'FieldValueInvalid', 'Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
  ['Exists with a value', (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists', value: 'v' }]), 'spec.tolerations[0].operator', 'FieldValueInvalid'],
  ['toleration key invalid', (p) => (p.spec.tolerations = [{ key: '-k', operator: 'Exists' }]), 'spec.tolerations[0].key', 'FieldValueInvalid'],
  ['metadata name of the wrong type', (p) => (p.metadata.name = 42), 'metadata.name', 'FieldValueTypeInvalid'],
]

test('the command-demo pod of the docs is valid', () => {
  assert.equal(validatePod(demo()), [])
})

test('a pod with only generateName is valid (the name is generated at admission)', () => {
  const p = demo()
  delete p.metadata!.name
  p.metadata!.generateName = 'demo-'
  assert.equal(validatePod(p), [])
})

for (const [what, mutate, field, reason, message] of rows) {
  test(`invalid: ${what} → ${field} ${reason}`, () => {
    const p = demo() as any
    mutate(p)
    const causes = validatePod(p)
    assert.equal(causes.map((c) => [c.field, c.reason]), [[field, reason]], JSON.stringify(causes))
    if (message !== undefined) assert.is(causes[0].message, message)
  })
}

test('several faults are all reported, rules before the schema', () => {
  const p = demo() as any
  p.metadata.name = 'Bad'
  p.spec.containers[0].image = ''
  p.spec.containers[0].command = 'ls'
  p.spec.restartPolicy = 'Nope'
  const fields = validatePod(p).map((c) => c.field)
  assert.equal(fields, ['metadata.name', `${c0}.image`, 'spec.restartPolicy', `${c0}.command`])
})

test('the schema does not repeat what a rule already said about a field', () => {
  const p = demo() as any
  p.spec.containers[0].resources = { limits: { memory: '1Zi' } }
  const causes = validatePod(p)
  assert.is(causes.length, 1)
  assert.is(causes[0].message, `Invalid value: "1Zi": ${QUANTITY_MSG}`)
})

test('requests equal to limits and JSON-number quantities are fine', () => {
  const p = demo() as any
  p.spec.containers[0].resources = { requests: { cpu: '1', memory: '64Mi' }, limits: { cpu: 1, memory: '67108864' } }
  assert.equal(validatePod(p), [])
})

test('name validators return Kubernetes’ messages', () => {
  assert.equal(isDNS1123Label('my-name'), [])
  assert.equal(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters'])
  assert.equal(isDNS1123Label('-x'), [LABEL_MSG])
  assert.equal(isDNS1123Subdomain('example.com'), [])
  assert.equal(isDNS1123Subdomain('example..com'), [SUBDOMAIN_MSG])
  assert.equal(isQualifiedName('example.com/MyName'), [])
  assert.equal(isQualifiedName('example.com/'), ['name part must be non-empty', "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"])
  assert.equal(isValidLabelValue(''), [])
  assert.equal(isValidLabelValue('a'.repeat(64)), ['must be no more than 63 characters'])
  assert.equal(isEnvVarName('MY_ENV.NAME'), [])
  assert.equal(isEnvVarName('.'), ["must not be '.'"])
})

const node = (): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-1' },
  spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
  status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '3800m', memory: '7Gi', pods: '110' } },
})

test('a typical node is valid', () => {
  assert.equal(validateNode(node()), [])
})

const nodeRows: Row[] = [
  ['no name', (n) => delete n.metadata.name, 'metadata.name', 'FieldValueRequired'],
  ['bad name', (n) => (n.metadata.name = 'Node_1'), 'metadata.name', 'FieldValueInvalid'],
  ['a namespace', (n) => (n.metadata.namespace = 'default'), 'metadata.namespace', 'FieldValueForbidden', 'Forbidden: not allowed on this type'],
  ['taint without effect', (n) => delete n.spec.taints[0].effect, 'spec.taints[0].effect', 'FieldValueRequired'],
  ['taint with unknown effect', (n) => (n.spec.taints[0].effect = 'NoRun'), 'spec.taints[0].effect', 'FieldValueNotSupported'],
  ['taint with bad key', (n) => (n.spec.taints[0].key = 'a/b/c'), 'spec.taints[0].key', 'FieldValueInvalid'],
  ['duplicate taint', (n) => n.spec.taints.push({ key: 'dedicated', value: 'other', effect: 'NoSchedule' }), 'spec.taints[1]', 'FieldValueDuplicate'],
  ['negative capacity', (n) => (n.status.capacity.cpu = '-4'), 'status.capacity.cpu', 'FieldValueInvalid', 'Invalid value: "-4": must be greater than or equal to 0'],
  ['malformed allocatable', (n) => (n.status.allocatable.memory = '7 Gi'), 'status.allocatable.memory', 'FieldValueInvalid', `Invalid value: "7 Gi": ${QUANTITY_MSG}`],
  ['unschedulable as a string', (n) => (n.spec.unschedulable = 'yes'), 'spec.unschedulable', 'FieldValueTypeInvalid'],
]

for (const [what, mutate, field, reason, message] of nodeRows) {
  test(`invalid node: ${what} → ${field} ${reason}`, () => {
    const n = node() as any
    mutate(n)
    const causes = validateNode(n)
    assert.equal(causes.map((c) => [c.field, c.reason]), [[field, reason]], JSON.stringify(causes))
    if (message !== undefined) assert.is(causes[0].message, message)
  })
}

test('validatePod is fast enough for the api-server hot path', () => {
  const typical = demo() as any
  typical.metadata = { name: 'web-7d9f8', namespace: 'default', labels: { app: 'web', tier: 'frontend' } }
  typical.spec.containers[0].resources = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } }
  typical.spec.containers[0].env = [{ name: 'MODE', value: 'prod' }]
  typical.spec.containers[0].ports = [{ containerPort: 8080, protocol: 'TCP' }]
  typical.spec.tolerations = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]
  const n = 20_000
  for (let i = 0; i < 2000; i++) validatePod(typical)
  const start = performance.now()
  let errors = 0
  for (let i = 0; i < n; i++) errors += validatePod(typical).length
  const perSecond = Math.round(n / ((performance.now() - start) / 1000))
  // Measured on the 2-core dev machine: about 70k pods/s (rules ≈160k/s, OpenAPI schema ≈200k/s),
  // down to ≈20k/s when the machine is busy. Printed, not asserted: wall clock.
  console.log(`\n  validatePod: ${perSecond.toLocaleString('en-US')} pods/s`)
  assert.is(errors, 0)
})

test.run()
