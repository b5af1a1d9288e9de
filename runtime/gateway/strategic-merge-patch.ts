/**
 * Strategic merge patch: what `kubectl apply`, `kubectl patch` (default type) and `kubectl edit`
 * send. Unlike a JSON merge patch, lists the API marks `patchStrategy:"merge"` are merged by their
 * `patchMergeKey` (containers by name, conditions by type), so applying a manifest that adds one
 * env var does not drop the ones another client set. The schema below is the part of Kubernetes'
 * struct tags (k8s.io/api core/v1, apps/v1) that covers the objects kstate serves; every other
 * list is replaced whole, as in Kubernetes.
 *
 * Directives, as in apimachinery's strategicpatch: `$patch: delete|replace|merge` on a map or list
 * element, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`, `$retainKeys`.
 */
import { ErrorCode, KstateError } from '../errors.js'
import type { Resource } from '../../events/index.js'

type Schema = { [field: string]: Field }
/** A list merged by `key` (elements are maps), or a merged set of primitives (`key` undefined), with the element schema. */
type Field = { list?: { key?: string }; of?: Schema }

const mergeList = (key: string, of?: Schema): Field => ({ list: { key }, of })
const primitiveSet: Field = { list: {} }
const map = (of: Schema): Field => ({ of })

const container: Schema = {
  ports: mergeList('containerPort'),
  env: mergeList('name'),
  volumeMounts: mergeList('mountPath'),
  volumeDevices: mergeList('devicePath'),
}
const podSpec: Schema = {
  containers: mergeList('name', container),
  initContainers: mergeList('name', container),
  ephemeralContainers: mergeList('name', container),
  volumes: mergeList('name'),
  imagePullSecrets: mergeList('name'),
  hostAliases: mergeList('ip'),
  topologySpreadConstraints: mergeList('topologyKey'),
  schedulingGates: mergeList('name'),
  resourceClaims: mergeList('name'),
}
const objectMeta: Schema = { finalizers: primitiveSet, ownerReferences: mergeList('uid') }
const conditions = mergeList('type')

export const PATCH_SCHEMAS: Record<Resource, Schema> = {
  pods: {
    metadata: map(objectMeta),
    spec: map(podSpec),
    status: map({ conditions, podIPs: mergeList('ip'), hostIPs: mergeList('ip') }),
  },
  nodes: {
    metadata: map(objectMeta),
    spec: map({ podCIDRs: primitiveSet }),
    status: map({ conditions, addresses: mergeList('type') }),
  },
  replicasets: {
    metadata: map(objectMeta),
    spec: map({ template: map({ metadata: map(objectMeta), spec: map(podSpec) }) }),
    status: map({ conditions }),
  },
}

export class PatchError extends KstateError {
  override readonly name = 'PatchError'
  constructor(message: string) {
    super(ErrorCode.BadInput, message)
  }
}

type Obj = Record<string, unknown>
const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

const DELETE_FROM = '$deleteFromPrimitiveList/'
const SET_ORDER = '$setElementOrder/'

/** Applies a strategic merge patch to `target` (not modified) for the given schema. */
export function strategicMergePatch(target: unknown, patch: unknown, schema: Schema = {}, path = ''): unknown {
  if (!isMap(patch)) return patch
  const directive = patch.$patch
  if (directive === 'replace') return withoutDirectives(patch)
  if (directive === 'delete') return undefined
  if (directive !== undefined && directive !== 'merge') throw new PatchError(`${path || 'patch'}: unknown $patch directive ${JSON.stringify(directive)}`)
  const base: Obj = isMap(target) ? { ...target } : {}
  const retain = patch.$retainKeys
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError(`${path || 'patch'}: $retainKeys must be a list`)
    for (const k of Object.keys(base)) if (!retain.includes(k)) delete base[k]
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(SET_ORDER)) continue
    if (k.startsWith(DELETE_FROM)) {
      const field = k.slice(DELETE_FROM.length)
      if (!Array.isArray(v)) throw new PatchError(`${join(path, k)} must be a list`)
      if (Array.isArray(base[field])) base[field] = (base[field] as unknown[]).filter((x) => !v.includes(x))
      continue
    }
    const at = join(path, k)
    if (v === null) {
      delete base[k]
      continue
    }
    const field = schema[k]
    if (Array.isArray(v) && field?.list) base[k] = mergeLists(base[k], v, field, at)
    else if (isMap(v)) {
      const merged = strategicMergePatch(base[k], v, field?.of ?? {}, at)
      if (merged === undefined) delete base[k]
      else base[k] = merged
    } else base[k] = Array.isArray(v) ? v.map((e) => (isMap(e) ? withoutDirectives(e) : e)) : v
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(SET_ORDER)) continue
    const field = k.slice(SET_ORDER.length)
    if (!Array.isArray(order)) throw new PatchError(`${join(path, k)} must be a list`)
    if (Array.isArray(base[field])) base[field] = reorder(base[field] as unknown[], order, schema[field]?.list?.key)
  }
  return base
}

function mergeLists(current: unknown, patch: unknown[], field: Field, path: string): unknown[] {
  const key = field.list!.key
  const replace = patch.find((e) => isMap(e) && e.$patch === 'replace' && Object.keys(e).length === 1)
  if (replace) return patch.filter((e) => e !== replace).map((e) => (isMap(e) ? withoutDirectives(e) : e))
  const out = Array.isArray(current) ? [...current] : []
  if (key === undefined) {
    for (const e of patch) if (!out.some((x) => x === e)) out.push(e)
    return out
  }
  for (const e of patch) {
    if (!isMap(e)) throw new PatchError(`${path}: elements must be objects with a "${key}" field`)
    if (!(key in e)) throw new PatchError(`${path}: an element has no "${key}", the key this list is merged by`)
    const i = out.findIndex((x) => isMap(x) && x[key] === e[key])
    if (e.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1)
      continue
    }
    const merged = strategicMergePatch(i >= 0 ? out[i] : undefined, e, field.of ?? {}, `${path}[${key}=${String(e[key])}]`)
    if (i >= 0) out[i] = merged
    else out.push(merged)
  }
  return out
}

/** `$setElementOrder`: the listed elements in that order, then any others the server kept, in their order. */
function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (e: unknown) => (key !== undefined && isMap(e) ? e[key] : e)
  const wanted = order.map((o) => (key !== undefined && isMap(o) ? o[key] : o))
  const ranked = list.map((e, i) => ({ e, i, rank: wanted.indexOf(id(e)) }))
  ranked.sort((a, b) => (a.rank < 0 ? Infinity : a.rank) - (b.rank < 0 ? Infinity : b.rank) || a.i - b.i)
  return ranked.map((r) => r.e)
}

function withoutDirectives(o: Obj): Obj {
  const out: Obj = {}
  for (const [k, v] of Object.entries(o)) if (!k.startsWith('$')) out[k] = isMap(v) ? withoutDirectives(v) : v
  return out
}

const join = (path: string, k: string) => (path ? `${path}.${k}` : k)
