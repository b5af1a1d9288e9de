import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parse } from 'yaml'
import { asList, formatObject, goYamlKeyLess } from '../../../../runtime/cli/print/output.js'

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: '6b1f', resourceVersion: '12', creationTimestamp: '2024-05-01T10:00:00Z', labels: { app: 'web' } },
  spec: {
    nodeName: undefined,
    containers: [{ name: 'app', image: 'nginx:1.25', command: ['sh', '-c', 'echo hi; sleep 3600'], ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {} }],
    tolerations: [],
  },
  status: {
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: '2024-05-01T10:00:00Z',
        reason: 'Unschedulable',
        message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      },
    ],
    qosClass: 'BestEffort',
  },
}

test('-o yaml: sorted keys, unindented sequences, quoted look-alikes, folded at column 80', () => {
  assert.is(
    formatObject(pod, 'yaml'),
    `apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: "2024-05-01T10:00:00Z"
  labels:
    app: web
  name: web-1
  namespace: default
  resourceVersion: "12"
  uid: 6b1f
spec:
  containers:
  - command:
    - sh
    - -c
    - echo hi; sleep 3600
    image: nginx:1.25
    name: app
    ports:
    - containerPort: 80
      protocol: TCP
    resources: {}
  tolerations: []
status:
  conditions:
  - lastProbeTime: null
    lastTransitionTime: "2024-05-01T10:00:00Z"
    message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are
      available: 3 No preemption victims found for incoming pod.'
    reason: Unschedulable
    status: "False"
    type: PodScheduled
  phase: Pending
  qosClass: BestEffort`,
  )
})

test('-o json: 4-space indent, keys in byte order, HTML characters escaped as Go does', () => {
  const obj = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', annotations: { 'b/c': 'x < y && z > 0', B: '' } }, spec: { containers: [], x: {} }, n: [1, 0.5, null, true] }
  assert.is(
    formatObject(obj, 'json'),
    `{
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "annotations": {
            "B": "",
            "b/c": "x \\u003c y \\u0026\\u0026 z \\u003e 0"
        },
        "name": "a"
    },
    "n": [
        1,
        0.5,
        null,
        true
    ],
    "spec": {
        "containers": [],
        "x": {}
    }
}`,
  )
})

test('several objects are a List with an empty resourceVersion, as kubectl prints them', () => {
  const list = asList([{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }])
  assert.is(
    formatObject(list, 'json'),
    `{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": "n1"
            }
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}`,
  )
  assert.is(
    formatObject(asList([]), 'yaml'),
    `apiVersion: v1
items: []
kind: List
metadata:
  resourceVersion: ""`,
  )
})

// [value, how go-yaml v2 writes `k: <value>`]
const scalars: [unknown, string][] = [
  ['plain text', 'plain text'],
  ['true', '"true"'],
  ['yes', '"yes"'],
  ['y', '"y"'],
  ['off', '"off"'],
  ['', '""'],
  ['null', '"null"'],
  ['~', '"~"'],
  ['123', '"123"'],
  ['-1', '"-1"'],
  ['1.5', '"1.5"'],
  ['0x1F', '"0x1F"'],
  ['1e3', '"1e3"'],
  ['1_000', '"1_000"'],
  ['.5', '".5"'],
  ['.inf', '".inf"'],
  ['08', '"08"'],
  ['12:30', '"12:30"'],
  ['<<', '"<<"'],
  ['2024-01-01', '"2024-01-01"'],
  ['2024-01-01T10:00:00Z', '"2024-01-01T10:00:00Z"'],
  ['2024-13-01', '2024-13-01'],
  ['1e400', '1e400'],
  ['a: b', "'a: b'"],
  ['- x', "'- x'"],
  ['-x', '-x'],
  ['#x', "'#x'"],
  ['a #b', "'a #b'"],
  ['a#b', 'a#b'],
  [' lead', "' lead'"],
  ['trail ', "'trail '"],
  ["it's", "it's"],
  ["'q'", "'''q'''"],
  ['"dq"', `'"dq"'`],
  ['*', "'*'"],
  ['@x', "'@x'"],
  ['---', "'---'"],
  ['key:', "'key:'"],
  ['http://x:80/y', 'http://x:80/y'],
  ['[x]', "'[x]'"],
  ['x,y', 'x,y'],
  ['ünïcode', 'ünïcode'],
  ['tab\there', '"tab\\there"'],
  ['emoji 🎉', '"emoji \\U0001F389"'],
  ['ctl\u0001x', '"ctl\\x01x"'],
  ['a \nb', '"a \\nb"'],
  ['a\nb', '|-\n  a\n  b'],
  ['a\nb\n', '|\n  a\n  b'],
  [' a\nb', '|2-\n   a\n  b'],
  [1, '1'],
  [-3, '-3'],
  [0.5, '0.5'],
  [1234567.5, '1.2345675e+06'],
  [1e-7, '1e-07'],
  [1e21, '1e+21'],
  [true, 'true'],
  [null, 'null'],
  [{}, '{}'],
  [[], '[]'],
]

test('-o yaml quotes strings exactly as go-yaml v2', () => {
  for (const [value, want] of scalars) assert.is(formatObject({ k: value }, 'yaml'), `k: ${want}`, JSON.stringify(value))
})

test('-o yaml reads back to the same object', () => {
  const roundTrip = scalars.map(([v]) => v).filter((v) => v !== '2024-13-01' && v !== '1e400')
  const obj = Object.fromEntries(roundTrip.map((v, i) => [`k${i}`, v]))
  assert.equal(parse(`${formatObject(obj, 'yaml')}\n`, { version: '1.1' }), obj)
})

test('long values fold at the first space past column 80, in each style', () => {
  // "  plain: w0 … w20" ends at column 82: the space after it is the first past 80.
  const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ')
  assert.is(
    formatObject({ a: { plain: words, single: `x: ${words}`, double: `${words}\t`, unbroken: 'x'.repeat(100) } }, 'yaml'),
    `a:
  double: "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20
    w21 w22 w23 w24 w25 w26 w27 w28 w29\\t"
  plain: w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20
    w21 w22 w23 w24 w25 w26 w27 w28 w29
  single: 'x: w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19
    w20 w21 w22 w23 w24 w25 w26 w27 w28 w29'
  unbroken: ${'x'.repeat(100)}`,
  )
})

test('folding matches kubectl output published for an unschedulable pod', () => {
  // learn.microsoft.com, AKS troubleshooting: `kubectl get pod -o yaml` of a Pending pod.
  const message = '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory..'
  assert.is(
    formatObject({ status: { conditions: [{ lastProbeTime: null, lastTransitionTime: '2023-05-03T17:05:26Z', message, reason: 'Unschedulable', status: 'False', type: 'PodScheduled' }], phase: 'Pending', qosClass: 'Guaranteed' } }, 'yaml'),
    `status:
  conditions:
  - lastProbeTime: null
    lastTransitionTime: "2023-05-03T17:05:26Z"
    message: '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.
      preemption: 0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory..'
    reason: Unschedulable
    status: "False"
    type: PodScheduled
  phase: Pending
  qosClass: Guaranteed`,
  )
})

test('mapping keys: go-yaml natural order for yaml, byte order for json', () => {
  const keys = ['b10', 'b9', 'a_b', 'aB', 'a-b', 'A']
  assert.equal([...keys].sort((a, b) => (goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0)), ['A', 'a-b', 'a_b', 'aB', 'b9', 'b10'])
  const obj = Object.fromEntries(keys.map((k) => [k, 1]))
  assert.is(formatObject(obj, 'yaml'), 'A: 1\na-b: 1\na_b: 1\naB: 1\nb9: 1\nb10: 1')
  assert.equal(Object.keys(JSON.parse(formatObject(obj, 'json'))), ['A', 'a-b', 'aB', 'a_b', 'b10', 'b9'])
})

test('nested sequences and mappings in sequences', () => {
  assert.is(formatObject({ m: [[1, 2], [{ a: 1, b: [] }], []] }, 'yaml'), 'm:\n- - 1\n  - 2\n- - a: 1\n    b: []\n- []')
})

test.run()
