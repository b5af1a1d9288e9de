import type { Resource } from '../../../events/index.js'
import { loadClientConfig, type ClientConfig } from '../../cluster/kubeconfig.js'

export interface ClientOptions {
  kubeconfig?: string
  namespace?: string
}

export function clientConfig(o: ClientOptions): ClientConfig {
  const cfg = loadClientConfig(o.kubeconfig)
  return o.namespace ? { ...cfg, namespace: o.namespace } : cfg
}

/** kubectl's resource names and short names. */
export function resourceOf(arg: string): Resource {
  const a = arg.toLowerCase().replace(/\.apps$/, '')
  if (['pod', 'pods', 'po'].includes(a)) return 'pods'
  if (['node', 'nodes', 'no'].includes(a)) return 'nodes'
  if (['replicaset', 'replicasets', 'rs'].includes(a)) return 'replicasets'
  throw new Error(`the server doesn't have a resource type "${arg}" (kstate serves pods, nodes and replicasets)`)
}

/** kubectl's singular name of a resource: `pod/x`, `replicaset.apps/x`. */
export const KIND_NAME: Record<Resource, string> = { pods: 'pod', nodes: 'node', replicasets: 'replicaset.apps' }

export function objectPath(resource: Resource, namespace: string, name?: string): string {
  const ns = encodeURIComponent(namespace)
  const base = resource === 'nodes' ? '/api/v1/nodes' : resource === 'pods' ? `/api/v1/namespaces/${ns}/pods` : `/apis/apps/v1/namespaces/${ns}/replicasets`
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`
}

/** The all-namespaces list path of a namespaced resource. */
export function clusterPath(resource: Resource): string {
  return resource === 'replicasets' ? '/apis/apps/v1/replicasets' : `/api/v1/${resource}`
}
