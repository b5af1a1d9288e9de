import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { callJson } from '../http.js'
import { nodeHeaders, nodeRow } from '../print/nodes.js'
import { asList, formatObject } from '../print/output.js'
import { podHeaders, podRow } from '../print/pods.js'
import { formatTable } from '../print/table.js'
import { clientConfig, objectPath, resourceOf, type ClientOptions } from './client.js'

type List<T> = { items: T[]; metadata?: { resourceVersion?: string } }

export async function getCommand(
  resourceArg: string,
  name: string | undefined,
  o: ClientOptions & { output?: string; allNamespaces: boolean; selector?: string },
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
  if (items.length === 0) {
    process.stderr.write(resource === 'nodes' ? 'No resources found\n' : all ? 'No resources found\n' : `No resources found in ${cfg.namespace} namespace.\n`)
    return
  }
  const wide = out === 'wide'
  const now = Date.now()
  const table =
    resource === 'pods'
      ? formatTable(podHeaders(wide, all), (items as Pod[]).map((p) => podRow(p, now, { wide, allNamespaces: all })))
      : formatTable(nodeHeaders(wide), (items as Node[]).map((n) => nodeRow(n, now, { wide })))
  process.stdout.write(table.endsWith('\n') ? table : table + '\n')
}
