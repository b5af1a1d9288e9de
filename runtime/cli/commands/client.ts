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
export function resourceOf(arg: string): 'pods' | 'nodes' {
  const a = arg.toLowerCase()
  if (['pod', 'pods', 'po'].includes(a)) return 'pods'
  if (['node', 'nodes', 'no'].includes(a)) return 'nodes'
  throw new Error(`the server doesn't have a resource type "${arg}" (kstate serves pods and nodes)`)
}

export function objectPath(resource: 'pods' | 'nodes', namespace: string, name?: string): string {
  const base = resource === 'nodes' ? '/api/v1/nodes' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`
}
