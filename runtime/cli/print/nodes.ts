/** `kubectl get nodes` rows: a port of printNode in kubernetes pkg/printers/internalversion/printers.go. */
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js'
import { translateTimestampSince } from './age.js'

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/'
/** The legacy role label, `kubernetes.io/role=<role>`. */
const NODE_ROLE_LABEL = 'kubernetes.io/role'

export interface NodeRowOptions {
  /** `-o wide`: adds INTERNAL-IP, EXTERNAL-IP, OS-IMAGE, KERNEL-VERSION, CONTAINER-RUNTIME. */
  wide?: boolean
}

export function nodeHeaders(wide: boolean): string[] {
  const headers = ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']
  if (wide) headers.push('INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME')
  return headers
}

export function nodeRow(node: Node, now: number, { wide = false }: NodeRowOptions = {}): string[] {
  const info = node.status?.nodeInfo
  const row = [node.metadata?.name ?? '', nodeStatus(node), nodeRoles(node).join(',') || '<none>', translateTimestampSince(node.metadata?.creationTimestamp, now), info?.kubeletVersion ?? '']
  if (wide) {
    row.push(
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    )
  }
  return row
}

/** `Ready`, `NotReady` (Ready is False or Unknown), `Unknown` (no Ready condition), then `,SchedulingDisabled` when cordoned. */
export function nodeStatus(node: Node): string {
  // The last condition of a type wins, as printNode's map does.
  const byType = new Map<string, NodeCondition>()
  for (const c of node.status?.conditions ?? []) byType.set(c.type, c)
  const status: string[] = []
  const ready = byType.get('Ready')
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady')
  if (status.length === 0) status.push('Unknown')
  if (node.spec?.unschedulable) status.push('SchedulingDisabled')
  return status.join(',')
}

/** Sorted, de-duplicated roles from `node-role.kubernetes.io/<role>` and `kubernetes.io/role=<role>` labels. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>()
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length)
      if (role) roles.add(role)
    } else if (k === NODE_ROLE_LABEL && v !== '') {
      roles.add(v)
    }
  }
  return [...roles].sort(byteOrder)
}

function nodeAddress(node: Node, type: 'InternalIP' | 'ExternalIP'): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>'
}

/** Go's sort.Strings: byte-wise order of the UTF-8 encodings. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}
