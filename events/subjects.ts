/**
 * NATS subject names, in one place. A subject token cannot hold `.`, but Kubernetes names
 * (DNS-1123 subdomains) can; `~` is never valid in a Kubernetes name, so it encodes `.` losslessly.
 */

/** The one JetStream stream that is the cluster's event log (etcd's role). */
export const LOG_STREAM = 'KSTATE_LOG'
export const LOG_PREFIX = 'kstate.log'
/** Cluster-scoped objects (Nodes) use this token in the namespace position. */
export const CLUSTER_SCOPE = '_'

/** Projection snapshots (a cache of the log's state at a revision; see runtime/projections/snapshot-store.ts). */
export const SNAPSHOT_STREAM = 'KSTATE_SNAPSHOTS'
export const SNAPSHOT_PREFIX = 'kstate.snapshot'

/** Requests to the api-server from other processes (scheduler, kubelets): msgpack request/reply. */
export const API_REQUEST_SUBJECT = 'kstate.api.request'
/** Per-node kubelet endpoints the api-server calls (pod logs), like the kubelet's HTTPS port. */
export const kubeletSubject = (node: string, op: 'logs') => `kstate.kubelet.${encodeToken(node)}.${op}`
/** KV bucket of node Leases (`kube-node-lease`): heartbeats are state, not history. */
export const LEASE_BUCKET = 'kstate-node-leases'

export type Resource = 'pods' | 'nodes' | 'replicasets'
export const RESOURCES: readonly Resource[] = ['pods', 'nodes', 'replicasets']
export const CLUSTER_SCOPED: ReadonlySet<Resource> = new Set<Resource>(['nodes'])

export function encodeToken(name: string): string {
  return name.replaceAll('.', '~')
}
export function decodeToken(token: string): string {
  return token.replaceAll('~', '.')
}

export function logSubject(resource: Resource, namespace: string | undefined, name: string): string {
  const ns = CLUSTER_SCOPED.has(resource) ? CLUSTER_SCOPE : encodeToken(namespace ?? 'default')
  return `${LOG_PREFIX}.${resource}.${ns}.${encodeToken(name)}`
}

/** Wildcard over every object of a resource (one filter subject per consumer: NATS 2.9). */
export function logResourceFilter(resource: Resource | '>'): string {
  return resource === '>' ? `${LOG_PREFIX}.>` : `${LOG_PREFIX}.${resource}.>`
}

export interface ObjectRef {
  resource: Resource
  /** Undefined for cluster-scoped resources. */
  namespace?: string
  name: string
}

export function parseLogSubject(subject: string): ObjectRef | undefined {
  const parts = subject.split('.')
  if (parts.length !== 5 || `${parts[0]}.${parts[1]}` !== LOG_PREFIX) return undefined
  const resource = parts[2] as Resource
  if (!RESOURCES.includes(resource)) return undefined
  const namespace = parts[3] === CLUSTER_SCOPE ? undefined : decodeToken(parts[3])
  return { resource, namespace, name: decodeToken(parts[4]) }
}

/** `pod/default/web-1`, `node/n1`: how the CLI and the event listing name an object. */
export function objectKey(ref: ObjectRef): string {
  const kind = ref.resource.replace(/s$/, '')
  return ref.namespace === undefined ? `${kind}/${ref.name}` : `${kind}/${ref.namespace}/${ref.name}`
}
