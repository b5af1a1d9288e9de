import { callJson } from '../http.js'
import { clientConfig, objectPath, resourceOf, type ClientOptions } from './client.js'

/** `kstate scale rs NAME --replicas N`: the scale subresource, as `kubectl scale` uses it. */
export async function scaleCommand(resourceArg: string, name: string, o: ClientOptions & { replicas: string }): Promise<void> {
  const cfg = clientConfig(o)
  const resource = resourceOf(resourceArg)
  if (resource !== 'replicasets') throw new Error(`cannot scale ${resourceArg}: only replicasets have a scale subresource here`)
  const replicas = Number(o.replicas)
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`--replicas must be a non-negative integer, got "${o.replicas}"`)
  await callJson(cfg, 'PATCH', `${objectPath(resource, cfg.namespace, name)}/scale`, { spec: { replicas } }, 'application/merge-patch+json')
  process.stdout.write(`replicaset.apps/${name} scaled\n`)
}
