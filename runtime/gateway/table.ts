import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { nodeHeaders, nodeRow } from '../cli/print/nodes.js'
import { podHeaders, podRow } from '../cli/print/pods.js'
import { replicaSetHeaders, replicaSetRow } from '../cli/print/replicasets.js'
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'

/**
 * Server-side printing: kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io` and prints
 * the columns the server sends, as kube-apiserver's printers do. The same rows back `kstate get`.
 */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept)
}

const DESCRIPTIONS: Record<string, string> = {
  NAME: 'Name must be unique within a namespace.',
  AGE: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
}

function columns(headers: string[], wideFrom: number) {
  return headers.map((h, i) => ({
    name: h
      .toLowerCase()
      .split(/[\s-]+/)
      .map((w, j) => (j === 0 ? w[0].toUpperCase() + w.slice(1) : w[0].toUpperCase() + w.slice(1)))
      .join(' ')
      .replace(/^Ip$/, 'IP'),
    type: h === 'NAME' ? 'string' : 'string',
    format: h === 'NAME' ? 'name' : '',
    description: DESCRIPTIONS[h] ?? '',
    priority: i >= wideFrom ? 1 : 0,
  }))
}

const partial = (o: Pod | Node, includeObject: string | null) =>
  includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata }

export function podTable(items: Pod[], now: number, resourceVersion: string, includeObject: string | null) {
  const narrow = podHeaders(false, false).length
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns(podHeaders(true, false), narrow),
    rows: items.map((p) => ({ cells: podRow(p, now, { wide: true }), object: partial(p, includeObject) })),
  }
}

export function nodeTable(items: Node[], now: number, resourceVersion: string, includeObject: string | null) {
  const narrow = nodeHeaders(false).length
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns(nodeHeaders(true), narrow),
    rows: items.map((n) => ({ cells: nodeRow(n, now, { wide: true }), object: partial(n, includeObject) })),
  }
}

export function replicaSetTable(items: ReplicaSet[], now: number, resourceVersion: string, includeObject: string | null) {
  const narrow = replicaSetHeaders(false).length
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns(replicaSetHeaders(true), narrow),
    rows: items.map((r) => ({ cells: replicaSetRow(r, now, { wide: true }), object: partial(r as never, includeObject) })),
  }
}
