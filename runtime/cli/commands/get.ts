import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { createInterface } from 'node:readline'
import { call, callJson } from '../http.js'
import { nodeHeaders, nodeRow } from '../print/nodes.js'
import { asList, formatObject } from '../print/output.js'
import { podHeaders, podRow } from '../print/pods.js'
import { formatTable } from '../print/table.js'
import { clientConfig, clusterPath, KIND_NAME, objectPath, resourceOf, type ClientOptions } from './client.js'
import { replicaSetHeaders, replicaSetRow } from '../print/replicasets.js'
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'

type List<T> = { items: T[]; metadata?: { resourceVersion?: string } }
type Obj = Pod | Node | ReplicaSet

export async function getCommand(
  resourceArg: string,
  name: string | undefined,
  o: ClientOptions & { output?: string; allNamespaces: boolean; selector?: string; watch?: boolean },
): Promise<void> {
  const cfg = clientConfig(o)
  const resource = resourceOf(resourceArg)
  const all = o.allNamespaces && resource !== 'nodes' && !name
  let items: Obj[]
  let rv = ''
  if (name) {
    items = [await callJson<Obj>(cfg, 'GET', objectPath(resource, cfg.namespace, name))]
  } else {
    const base = all ? clusterPath(resource) : objectPath(resource, cfg.namespace)
    const list = await callJson<List<Obj>>(cfg, 'GET', base + (o.selector ? `?labelSelector=${encodeURIComponent(o.selector)}` : ''))
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
      ? podRow(obj as Pod, Date.now(), { wide, allNamespaces: all })
      : resource === 'nodes'
        ? nodeRow(obj as Node, Date.now(), { wide })
        : replicaSetRow(obj as ReplicaSet, Date.now(), { wide, allNamespaces: all })
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
