import { logSubject, type ObjectRef, type Resource } from '../../events/subjects.js'

/** A `kind/…` argument that names no object kstate serves. */
export class ObjectArgError extends Error {
  override readonly name = 'ObjectArgError'
  readonly code = 'BAD_OBJECT_ARG'
}

const KINDS: Record<string, Resource> = {
  pod: 'pods',
  pods: 'pods',
  po: 'pods',
  node: 'nodes',
  nodes: 'nodes',
  no: 'nodes',
  rs: 'replicasets',
  replicaset: 'replicasets',
  replicasets: 'replicasets',
  'replicaset.apps': 'replicasets',
  'replicasets.apps': 'replicasets',
}

/**
 * kubectl's `KIND/NAME` (namespace from `-n`, default `default`), or kstate's `KIND/NAMESPACE/NAME`
 * as `kstate events` prints it: `pod/web-1`, `pod/prod/web-1`, `node/node-2`, `rs/web`.
 */
export function parseObjectArg(arg: string, namespace = 'default'): ObjectRef {
  const parts = arg.split('/')
  const resource = KINDS[parts[0]?.toLowerCase() ?? '']
  if (!resource || parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new ObjectArgError(`"${arg}" names no object: use pod/NAME, pod/NAMESPACE/NAME, node/NAME or rs/NAME`)
  }
  if (resource === 'nodes') {
    if (parts.length === 3) throw new ObjectArgError(`nodes have no namespace: use node/NAME, not "${arg}"`)
    return { resource, name: parts[1] }
  }
  return parts.length === 3 ? { resource, namespace: parts[1], name: parts[2] } : { resource, namespace, name: parts[1] }
}

export const refSubject = (ref: ObjectRef) => logSubject(ref.resource, ref.namespace, ref.name)
