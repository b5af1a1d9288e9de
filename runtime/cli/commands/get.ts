import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { createInterface } from 'node:readline'
import { call, callJson } from '../http.js'
import { nodeHeaders, nodeRow } from '../print/nodes.js'
import { asList, formatObject } from '../print/output.js'
import { podHeaders, podRow } from '../print/pods.js'
import { formatTable } from '../print/table.js'
import { clientConfig, objectPath, resourceOf, type ClientOptions } from './client.js'

type List<T> = { items: T[]; metadata?: { resourceVersion?: string } }

export async function getCommand(
  resourceArg: string,
  name: string | undefined,
  o: ClientOptions & { output?: string; allNamespaces: boolean; selector?: string; watch?: boolean },
): Promise<void> {
  const cfg = clientConfig(o)
  const resource = resourceOf(resourceArg)
  const all = o.allNamespaces && resource === 'pods' && !name
  let items: (Pod | Node)[]
  let rv = ''
  if (name) {
    items = [await callJson<Pod | Node>(cfg, 'GET', objectPath(resource, cfg.namespace, name))]
  } else {
    const base = all ? '/api/v1/pods' : objectPath(resource, cfg.namespace)
    const list = await callJson<List<Pod | Node>>(cfg, 'GET', base + (o.selector ? `?labelSelector=${encodeURIComponent(o.selector)}` : ''))
    items = list.items
    rv = list.metadata?.resourceVersion ?? ''
  }
  const out = o.output
  if (out === 'json' || out === 'yaml') {
    process.stdout.write(formatObject(name ? items[0] : asList(items, rv), out))
    return
  }
  if (out === 'name') {
    process.stdout.write(items.map((i) => `${resource === 'pods' ? 'pod' : 'node'}/${i.metadata?.name}\n`).join(''))
    return
  }
  const wide = out === 'wide'
  const row = (obj: Pod | Node) =>
    resource === 'pods' ? podRow(obj as Pod, Date.now(), { wide, allNamespaces: all }) : nodeRow(obj as Node, Date.now(), { wide })
  if (items.length === 0 && !o.watch) {
    process.stderr.write(resource === 'nodes' ? 'No resources found\n' : all ? 'No resources found\n' : `No resources found in ${cfg.namespace} namespace.\n`)
    return
  }
  const headers = resource === 'pods' ? podHeaders(wide, all) : nodeHeaders(wide)
  const table = formatTable(headers, items.map(row))
  process.stdout.write(table.endsWith('\n') ? table : table + '\n')
  if (!o.watch) return
  // Like kubectl get -w: changes after the list's resourceVersion, one row each, aligned to the header.
  const widths = table.split('\n')[0].match(/\S+(\s+\S+)*?(\s{3,}|$)/g)?.map((h) => h.length) ?? []
  const q = new URLSearchParams({ watch: 'true', resourceVersion: rv || '0' })
  if (o.selector) q.set('labelSelector', o.selector)
  if (name) q.set('fieldSelector', `metadata.name=${name}`)
  const base = all ? '/api/v1/pods' : objectPath(resource, cfg.namespace)
  const res = await call(cfg, 'GET', `${base}?${q}`)
  for await (const line of createInterface({ input: res })) {
    if (!line.trim()) continue
    const ev = JSON.parse(line) as { type: string; object: Pod | Node }
    const cells = row(ev.object)
    process.stdout.write(cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(Math.max(widths[i] ?? 0, c.length + 3)) : c)).join('') + '\n')
  }
}
