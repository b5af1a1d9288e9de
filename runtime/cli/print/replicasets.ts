/** `kubectl get replicasets` rows: printReplicaSet in kubernetes pkg/printers/internalversion/printers.go. */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import { translateTimestampSince } from './age.js'

export function replicaSetHeaders(wide: boolean, allNamespaces = false): string[] {
  const h = ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']
  if (wide) h.push('CONTAINERS', 'IMAGES', 'SELECTOR')
  return allNamespaces ? ['NAMESPACE', ...h] : h
}

/** `metav1.FormatLabelSelector`: `app=web,tier in (a,b)`, `<none>` when empty. */
export function formatLabelSelector(sel: LabelSelector | undefined): string {
  if (!sel) return '<none>'
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`)
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator
    if (op === 'Exists') parts.push(e.key)
    else if (op === 'DoesNotExist') parts.push(`!${e.key}`)
    else parts.push(`${e.key} ${op === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`)
  }
  return parts.length > 0 ? parts.join(',') : '<none>'
}

export function replicaSetRow(rs: ReplicaSet, now: number, { wide = false, allNamespaces = false } = {}): string[] {
  const row = [
    rs.metadata?.name ?? '',
    String(rs.spec?.replicas ?? 1),
    String(rs.status?.replicas ?? 0),
    String(rs.status?.readyReplicas ?? 0),
    translateTimestampSince(rs.metadata?.creationTimestamp, now),
  ]
  if (wide) {
    const containers = rs.spec?.template?.spec?.containers ?? []
    row.push(containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(','), formatLabelSelector(rs.spec?.selector))
  }
  return allNamespaces ? [rs.metadata?.namespace ?? '', ...row] : row
}
