import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import type { Resource } from '../../../events/index.js'
import { callJson, StatusError } from '../http.js'
import { clientConfig, objectPath, type ClientOptions } from './client.js'

type Obj = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; resourceVersion?: string }; items?: Obj[] }

const RESOURCE: Record<string, Resource> = { 'v1/Pod': 'pods', 'v1/Node': 'nodes', 'apps/v1/ReplicaSet': 'replicasets' }

function readInput(file: string): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')
  } catch (e) {
    throw new Error(`the path "${file}" cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

export function parseManifests(text: string, source: string): Obj[] {
  const docs = parseAllDocuments(text)
  const out: Obj[] = []
  for (const [i, d] of docs.entries()) {
    if (d.errors.length > 0) throw new Error(`error parsing ${source} (document ${i + 1}): ${d.errors[0].message.split('\n')[0]}`)
    const v = d.toJS() as Obj | null
    if (v === null || v === undefined) continue
    if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`error parsing ${source} (document ${i + 1}): not an object`)
    if (v.kind === 'List' || v.kind?.endsWith('List')) out.push(...(v.items ?? []))
    else out.push(v)
  }
  return out
}

/** `kstate apply -f`: create, or replace what exists; prints `pod/x created|configured|unchanged` as kubectl does. */
export async function applyCommand(o: ClientOptions & { filename: string }): Promise<void> {
  const cfg = clientConfig(o)
  const objects = parseManifests(readInput(o.filename), o.filename === '-' ? 'STDIN' : o.filename)
  if (objects.length === 0) throw new Error('no objects passed to apply')
  let failures = 0
  for (const obj of objects) {
    const resource = RESOURCE[`${obj.apiVersion}/${obj.kind}`]
    const name = obj.metadata?.name
    const group = obj.apiVersion?.includes('/') ? `.${obj.apiVersion.split('/')[0]}` : ''
    const label = `${(obj.kind ?? 'object').toLowerCase()}${group}/${name ?? '<unnamed>'}`
    try {
      if (!resource) throw new Error(`resource mapping not found for name: "${name}" kind: "${obj.kind}" apiVersion: "${obj.apiVersion}": kstate serves v1 Pod and Node, apps/v1 ReplicaSet`)
      const ns = obj.metadata?.namespace ?? cfg.namespace
      if (resource !== 'nodes' && obj.metadata?.namespace && o.namespace && o.namespace !== obj.metadata.namespace) {
        throw new Error(`the namespace from the provided object "${obj.metadata.namespace}" does not match the namespace "${o.namespace}". You must pass '--namespace=${obj.metadata.namespace}' to perform this operation.`)
      }
      const body = resource !== 'nodes' ? { ...obj, metadata: { ...obj.metadata, namespace: ns } } : obj
      if (!name) {
        const created = await callJson<Obj>(cfg, 'POST', objectPath(resource, ns), body)
        process.stdout.write(`${(obj.kind ?? '').toLowerCase()}/${created.metadata?.name} created\n`)
        continue
      }
      let current: Obj | undefined
      try {
        current = await callJson<Obj>(cfg, 'GET', objectPath(resource, ns, name))
      } catch (e) {
        if (!(e instanceof StatusError && e.status.code === 404)) throw e
      }
      if (!current) {
        await callJson(cfg, 'POST', objectPath(resource, ns), body)
        process.stdout.write(`${label} created\n`)
        continue
      }
      const updated = await callJson<Obj>(cfg, 'PUT', objectPath(resource, ns, name), { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } })
      process.stdout.write(`${label} ${updated.metadata?.resourceVersion === current.metadata?.resourceVersion ? 'unchanged' : 'configured'}\n`)
    } catch (e) {
      failures++
      if (e instanceof StatusError) process.stderr.write(`Error from server (${e.status.reason ?? 'Unknown'}): error when applying ${label}: ${e.status.message}\n`)
      else process.stderr.write(`error: ${(e as Error).message}\n`)
    }
  }
  if (failures > 0) process.exit(1)
}
