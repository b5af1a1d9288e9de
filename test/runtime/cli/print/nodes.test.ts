import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js'
import { nodeHeaders, nodeRow } from '../../../../runtime/cli/print/nodes.js'
import { formatTable } from '../../../../runtime/cli/print/table.js'

const now = Date.parse('2024-05-01T12:00:00Z')

function node(name: string, { conditions, labels, unschedulable }: { conditions?: NodeCondition[]; labels?: Record<string, string>; unschedulable?: boolean } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, creationTimestamp: '2024-04-30T10:00:00Z', labels },
    spec: unschedulable ? { unschedulable } : {},
    status: {
      conditions,
      addresses: [
        { type: 'Hostname', address: name },
        { type: 'InternalIP', address: '172.18.0.2' },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.0',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.8.0-45-generic',
        containerRuntimeVersion: 'containerd://1.7.18',
        architecture: 'amd64',
        bootID: '',
        kubeProxyVersion: '',
        machineID: '',
        operatingSystem: 'linux',
        systemUUID: '',
      },
    },
  }
}

const ready = (status: string): NodeCondition[] => [
  { type: 'MemoryPressure', status: 'False' },
  { type: 'Ready', status },
]

test('STATUS, ROLES, AGE, VERSION as kubectl printNode', () => {
  const table: [string, Node, string[]][] = [
    ['ready worker', node('n1', { conditions: ready('True') }), ['n1', 'Ready', '<none>', '26h', 'v1.32.0']],
    ['not ready', node('n1', { conditions: ready('False') }), ['n1', 'NotReady', '<none>', '26h', 'v1.32.0']],
    ['ready unknown (lost heartbeat)', node('n1', { conditions: ready('Unknown') }), ['n1', 'NotReady', '<none>', '26h', 'v1.32.0']],
    ['no Ready condition yet', node('n1'), ['n1', 'Unknown', '<none>', '26h', 'v1.32.0']],
    ['cordoned', node('n1', { conditions: ready('True'), unschedulable: true }), ['n1', 'Ready,SchedulingDisabled', '<none>', '26h', 'v1.32.0']],
    ['cordoned and unknown', node('n1', { unschedulable: true }), ['n1', 'Unknown,SchedulingDisabled', '<none>', '26h', 'v1.32.0']],
    [
      'roles sorted from both label forms',
      node('cp', { conditions: ready('True'), labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'infra', 'node-role.kubernetes.io/': '' } }),
      ['cp', 'Ready', 'control-plane,infra,worker', '26h', 'v1.32.0'],
    ],
  ]
  for (const [name, n, want] of table) assert.equal(nodeRow(n, now), want, name)
})

test('-o wide adds addresses and node info, <none>/<unknown> when missing', () => {
  assert.equal(nodeHeaders(true), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'])
  assert.equal(nodeRow(node('n1', { conditions: ready('True') }), now, { wide: true }), [
    'n1',
    'Ready',
    '<none>',
    '26h',
    'v1.32.0',
    '172.18.0.2',
    '<none>',
    'Debian GNU/Linux 12 (bookworm)',
    '6.8.0-45-generic',
    'containerd://1.7.18',
  ])
  const bare: Node = { metadata: { name: 'bare' } }
  assert.equal(nodeRow(bare, now, { wide: true }), ['bare', 'Unknown', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'])
})

test('the table a user sees for kubectl get nodes', () => {
  const nodes = [node('kstate-control-plane', { conditions: ready('True'), labels: { 'node-role.kubernetes.io/control-plane': '' } }), node('kstate-worker', { conditions: ready('Unknown'), unschedulable: true })]
  assert.is(
    formatTable(
      nodeHeaders(false),
      nodes.map((n) => nodeRow(n, now)),
    ),
    [
      'NAME                   STATUS                        ROLES           AGE   VERSION',
      'kstate-control-plane   Ready                         control-plane   26h   v1.32.0',
      'kstate-worker          NotReady,SchedulingDisabled   <none>          26h   v1.32.0',
    ].join('\n'),
  )
})

test.run()
