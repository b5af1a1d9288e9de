import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { createInterface } from 'node:readline'
import { call, callJson } from '../http.js'
import { nodeHeaders, nodeRow } from '../print/nodes.js'
import { asList, formatObject } from '../print/output.js'
import { podHeaders, podRow } from '../print/pods.js'
import { formatTable } from '../print/table.js'
import type { ClientConfig } from '../../cluster/kubeconfig.js'
import { clientConfig, clusterPath, KIND_NAME, objectPath, resourceOf, type ClientOptions } from './client.js'
import { replicaSetHeaders, replicaSetRow } from '../print/replicasets.js'
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'

type List<T> = { items: T[]; metadata?: { resourceVersion?: string } }

/**
 * `--at REV|RFC3339`: the revision and the time of its event. A time resolves on the server to the
 * last event at or before it; a revision beyond the log's head is refused there (504, as Kubernetes).
 */
export async function resolvePoint(cfg: ClientConfig, at: string): Promise<{ rev: number; at: number }> {
  let q: string
  if (/^\d+$/.test(at)) q = `rev=${at}`
  else if (!Number.isNaN(Date.parse(at)) && /^\d{4}-\d\d-\d\dT/.test(at)) q = `at=${encodeURIComponent(at)}`
  else throw new Error(`"${at}" is neither a revision nor an RFC 3339 time (e.g. 2026-11-23T16:45:00Z)`)
  const p = await callJson<{ rev: number; at: string }>(cfg, 'GET', `/kstate/v1/revision?${q}`)
  return { rev: p.rev, at: Date.parse(p.at) }
}
type Obj = Pod | Node | ReplicaSet

export async function getCommand(
  resourceArg: string,
  name: string | undefined,
  o: ClientOptions & { output?: string; allNamespaces: boolean; selector?: string; watch?: boolean; at?: string },
): Promise<void> {
  const cfg = clientConfig(o)
  const resource = resourceOf(resourceArg)
  const all = o.allNamespaces && resource !== 'nodes' && !name
  if (o.at !== undefined && o.watch) throw new Error('--at and --watch cannot be combined: the past does not change')
  // In the past: Kubernetes' exact read at a revision; ages are counted from that moment.
  const point = o.at !== undefined ? await resolvePoint(cfg, o.at) : undefined
  const past: Record<string, string> = point ? { resourceVersion: String(point.rev), resourceVersionMatch: 'Exact' } : {}
  const now = () => point?.at ?? Date.now()
  let items: Obj[]
  let rv = ''
  if (name) {
    const q = new URLSearchParams(past).toString()
    items = [await callJson<Obj>(cfg, 'GET', objectPath(resource, cfg.namespace, name) + (q ? `?${q}` : ''))]
  } else {
    const base = all ? clusterPath(resource) : objectPath(resource, cfg.namespace)
    const q = new URLSearchParams({ ...(o.selector ? { labelSelector: o.selector } : {}), ...past }).toString()
    const list = await callJson<List<Obj>>(cfg, 'GET', base + (q ? `?${q}` : ''))
    items = list.items
    rv = list.metadata?.resourceVersion ?? ''
  }
  const out = o.output
  if (out === 'json' || out === 'yaml') {
    process.stdout.write(formatObject(name ? items[0] : asList(items, rv), out))
    return
  }
  if (out === 'name') {
    process.stdout.write(items.map((i) => `${KIND_NAME[resource]}/${i.metadata?.name}\n`).join(''))
    return
  }
  const wide = out === 'wide'
  const row = (obj: Obj) =>
    resource === 'pods'
      ? podRow(obj as Pod, now(), { wide, allNamespaces: all })
      : resource === 'nodes'
        ? nodeRow(obj as Node, now(), { wide })
        : replicaSetRow(obj as ReplicaSet, now(), { wide, allNamespaces: all })
  if (items.length === 0 && !o.watch) {
    process.stderr.write(resource === 'nodes' ? 'No resources found\n' : all ? 'No resources found\n' : `No resources found in ${cfg.namespace} namespace.\n`)
    return
  }
  const headers = resource === 'pods' ? podHeaders(wide, all) : resource === 'nodes' ? nodeHeaders(wide) : replicaSetHeaders(wide, all)
  const table = formatTable(headers, items.map(row))
  process.stdout.write(table.endsWith('\n') ? table : table + '\n')
  if (!o.watch) return
  // Like kubectl get -w: changes after the list's resourceVersion, one row each, aligned to the header.
  const widths = table.split('\n')[0].match(/\S+(\s+\S+)*?(\s{3,}|$)/g)?.map((h) => h.length) ?? []
  const q = new URLSearchParams({ watch: 'true', resourceVersion: rv || '0' })
  if (o.selector) q.set('labelSelector', o.selector)
  if (name) q.set('fieldSelector', `metadata.name=${name}`)
  const base = all ? clusterPath(resource) : objectPath(resource, cfg.namespace)
  const res = await call(cfg, 'GET', `${base}?${q}`)
  for await (const line of createInterface({ input: res })) {
    if (!line.trim()) continue
    const ev = JSON.parse(line) as { type: string; object: Obj }
    const cells = row(ev.object)
    process.stdout.write(cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(Math.max(widths[i] ?? 0, c.length + 3)) : c)).join('') + '\n')
  }
}
