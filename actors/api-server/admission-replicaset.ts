/**
 * Admission of `apps/v1` ReplicaSet writes, as pure functions, after Kubernetes 1.32: the
 * decoder's kind/version check, apps/v1 defaulting (`SetDefaults_ReplicaSet` and the pod
 * template's `SetDefaults_PodSpec`), the registry strategy (system fields, generation, status
 * kept, immutable selector) and `pkg/apis/apps/validation`. Time and uid come in through the
 * `AdmissionContext`, as for Pods.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Status, StatusCause } from 'kubernetes-types/meta/v1.js'
import { failureStatus } from '../../events/status.js'
import { canonicalize, checkTypeMeta, createName, deepEqual, SYSTEM_META, withoutSystemMeta, type AdmissionContext } from './admission.js'
import { defaultPod } from './defaults.js'
import { formatQuantity, parseQuantityValue } from './quantity.js'
import { fieldError, type FieldCause } from './validation/names.js'
import { validateNonnegative, validateReplicaSet, validateReplicaSetUpdate } from './validation/replicaset.js'

export type ReplicaSetAdmission = { ok: true; replicaSet: ReplicaSet } | { ok: false; status: Status }
/** `changed: false` when the ReplicaSet already has that many replicas (nothing to append). */
export type ReplicaSetScale = { ok: true; replicaSet: ReplicaSet; changed: boolean } | { ok: false; status: Status }

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const str = (x: unknown): string => (typeof x === 'string' ? x : '')
const badRequest = (message: string) => ({ ok: false as const, status: failureStatus('BadRequest', message) })

export const REPLICASET_API_VERSION = 'apps/v1'
export const DEFAULT_REPLICAS = 1

/** 422 the way kube-apiserver words it for a grouped kind: `ReplicaSet.apps "web" is invalid: …`. */
function invalid(kind: string, group: string, name: string, causes: StatusCause[]): { ok: false; status: Status } {
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ')
  return { ok: false, status: failureStatus('Invalid', `${kind}.${group} "${name}" is invalid: ${summary}`, { name, group, kind, causes }) }
}
const invalidReplicaSet = (name: string, causes: StatusCause[]) => invalid('ReplicaSet', 'apps', name, causes)

/* ------------------------------------------------------------------------------------------------
 * Decoding.
 * ---------------------------------------------------------------------------------------------- */

/**
 * The decoder's checks for the apps/v1 ReplicaSet endpoint. A missing `kind` or `apiVersion` is
 * filled in from the endpoint, as `checkTypeMeta` does for Pods.
 */
export function checkReplicaSetTypeMeta(raw: unknown): { ok: true; obj: Obj } | { ok: false; status: Status } {
  if (!isObj(raw) || (raw.kind !== undefined && typeof raw.kind !== 'string') || (raw.apiVersion !== undefined && typeof raw.apiVersion !== 'string')) {
    // The decoder's own complaint, as worded for Pods, about the ReplicaSet endpoint.
    const r = checkTypeMeta(raw, 'Pod')
    if (!r.ok) return { ok: false, status: { ...r.status, message: r.status.message?.replace('(must be of type Pod)', '(must be of type ReplicaSet)') } }
  }
  if (!isObj(raw)) return badRequest('the object provided is unrecognized (must be of type ReplicaSet)')
  const kind = str(raw.kind) || 'ReplicaSet'
  const apiVersion = str(raw.apiVersion) || REPLICASET_API_VERSION
  if (kind !== 'ReplicaSet') {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion]
    return badRequest(`${kind} in version "${version}" cannot be handled as a ReplicaSet: no kind "${kind}" is registered for the endpoint of kind "ReplicaSet" in group "${group}"`)
  }
  if (apiVersion !== REPLICASET_API_VERSION) {
    return badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${REPLICASET_API_VERSION})`)
  }
  return { ok: true, obj: { ...raw, apiVersion: REPLICASET_API_VERSION, kind: 'ReplicaSet' } }
}

/* ------------------------------------------------------------------------------------------------
 * Defaulting.
 * ---------------------------------------------------------------------------------------------- */

/**
 * `SetDefaults_PodSpec` and the containers' defaults on a template's spec. What `defaultPod`
 * adds for pods only (`SetDefaults_Pod`: requests copied from limits, `enableServiceLinks`; the
 * Priority plugin's `priority`) is taken back out: the pods created from the template get it at
 * their own admission.
 */
function defaultTemplateSpec(spec: Obj): Obj {
  const out = { ...(defaultPod({ spec } as unknown as Pod).spec as unknown as Obj) }
  if (spec.priority === undefined) delete out.priority
  if (spec.enableServiceLinks === undefined) delete out.enableServiceLinks
  for (const list of ['containers', 'initContainers'] as const) {
    const given = spec[list]
    if (!Array.isArray(given) || !Array.isArray(out[list])) continue
    out[list] = (out[list] as unknown[]).map((c, i) => (isObj(c) && isObj(given[i]) ? { ...c, resources: given[i].resources ?? {} } : c))
  }
  return out
}

/** apps/v1 defaults: `spec.replicas` 1 and the pod template's spec defaults. Returns a new object. */
export function defaultReplicaSet(rs: ReplicaSet): ReplicaSet {
  const r = rs as unknown as Obj
  if (r.spec !== undefined && r.spec !== null && !isObj(r.spec)) return rs // the schema reports it
  const spec: Obj = { ...(r.spec as Obj | undefined) }
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = DEFAULT_REPLICAS
  const template = spec.template === undefined || spec.template === null ? {} : spec.template
  if (isObj(template)) {
    const podSpec = template.spec === undefined || template.spec === null ? {} : template.spec
    spec.template = isObj(podSpec) ? { ...template, spec: defaultTemplateSpec({ ...podSpec }) } : template
  }
  return { ...r, spec } as unknown as ReplicaSet
}

/** Quantities of the template's containers in canonical form ("1000m" → "1"), as the stored pod spec has them. */
function canonicalTemplateQuantities(rs: ReplicaSet): ReplicaSet {
  const podSpec = rs.spec?.template?.spec as unknown as Obj | undefined
  if (!isObj(podSpec)) return rs
  const list = (l: unknown) => {
    if (!isObj(l)) return l
    const out: Obj = {}
    for (const [k, v] of Object.entries(l)) {
      try {
        out[k] = formatQuantity(parseQuantityValue(v))
      } catch {
        out[k] = v
      }
    }
    return out
  }
  const fix = (cs: unknown) =>
    Array.isArray(cs)
      ? cs.map((c) => (isObj(c) && isObj(c.resources) ? { ...c, resources: { ...c.resources, ...(c.resources.limits !== undefined ? { limits: list(c.resources.limits) } : {}), ...(c.resources.requests !== undefined ? { requests: list(c.resources.requests) } : {}) } } : c))
      : cs
  const spec = { ...podSpec, containers: fix(podSpec.containers), ...(podSpec.initContainers !== undefined ? { initContainers: fix(podSpec.initContainers) } : {}) }
  return { ...rs, spec: { ...rs.spec!, template: { ...rs.spec!.template, spec: spec as never } } }
}

/* ------------------------------------------------------------------------------------------------
 * Create, update, scale.
 * ---------------------------------------------------------------------------------------------- */

/** POST /apis/apps/v1/namespaces/{ns}/replicasets. */
export function admitReplicaSetCreate(raw: unknown, ctx: AdmissionContext): ReplicaSetAdmission {
  const decoded = checkReplicaSetTypeMeta(raw)
  if (!decoded.ok) return decoded
  const obj = decoded.obj
  const given = isObj(obj.metadata) ? obj.metadata : obj.metadata === undefined || obj.metadata === null ? {} : undefined
  if (!given) return invalidReplicaSet('', validateReplicaSet(obj as unknown as ReplicaSet))
  const bodyNs = str(given.namespace)
  if (bodyNs && ctx.namespace && bodyNs !== ctx.namespace) {
    return badRequest('the namespace of the provided object does not match the namespace sent on the request')
  }
  const meta: Obj = withoutSystemMeta(given)
  meta.namespace = bodyNs || ctx.namespace || 'default'
  const name = createName(meta, ctx)
  if (name) meta.name = name
  const rs = defaultReplicaSet({ ...obj, metadata: meta } as unknown as ReplicaSet)
  const causes = validateReplicaSet(rs)
  if (causes.length > 0) return invalidReplicaSet(name, causes)
  // PrepareForCreate: status cleared, generation 1.
  const admitted: ReplicaSet = {
    ...canonicalTemplateQuantities(rs),
    metadata: { ...rs.metadata, uid: ctx.uid, creationTimestamp: ctx.now, generation: 1 },
    status: { replicas: 0 },
  }
  return { ok: true, replicaSet: canonicalize(admitted) }
}


/**
 * PUT /apis/apps/v1/namespaces/{ns}/replicasets/{name}. Spec (but the selector) and metadata may
 * change; uid, creationTimestamp and status are kept from `current`; generation moves by one when
 * the spec changes. The resourceVersion precondition is the caller's.
 */
export function admitReplicaSetUpdate(current: ReplicaSet, raw: unknown, ctx: AdmissionContext): ReplicaSetAdmission {
  const decoded = checkReplicaSetTypeMeta(raw)
  if (!decoded.ok) return decoded
  const obj = decoded.obj
  const cur = (current.metadata ?? {}) as Obj
  const currentName = str(cur.name)
  const given: Obj = isObj(obj.metadata) ? obj.metadata : {}
  const urlName = ctx.name ?? currentName
  if (str(given.name) !== urlName) return badRequest(`the name of the object (${str(given.name)}) does not match the name on the URL (${urlName})`)
  const reqNs = ctx.namespace ?? str(cur.namespace)
  const ns = str(given.namespace)
  if (ns && reqNs && ns !== reqNs) return badRequest(`the namespace of the object (${ns}) does not match the namespace on the request (${reqNs})`)
  const uid = str(given.uid)
  if (uid && uid !== str(cur.uid)) return invalidReplicaSet(currentName, [fieldError.invalid('metadata.uid', uid, 'field is immutable')])
  const meta: Obj = { ...given, namespace: str(cur.namespace) || reqNs }
  for (const k of SYSTEM_META) {
    if (cur[k] !== undefined && k !== 'resourceVersion' && k !== 'selfLink') meta[k] = cur[k]
    else delete meta[k]
  }
  const rs = canonicalTemplateQuantities(defaultReplicaSet({ ...obj, metadata: meta } as unknown as ReplicaSet))
  const causes: FieldCause[] = [...(validateReplicaSet(rs) as FieldCause[]), ...validateReplicaSetUpdate(rs, current)]
  if (causes.length > 0) return invalidReplicaSet(currentName, causes)
  // PrepareForUpdate: status is the status endpoint's; a spec change is a new generation.
  const generation = typeof cur.generation === 'number' ? cur.generation : 1
  const next = canonicalize({ ...rs, status: undefined })
  const changed = !deepEqual(next.spec, current.spec)
  const admitted: ReplicaSet = {
    ...next,
    metadata: { ...next.metadata, generation: changed ? generation + 1 : generation },
    ...(current.status !== undefined ? { status: current.status } : {}),
  }
  return { ok: true, replicaSet: canonicalize(admitted) }
}

/**
 * PUT …/replicasets/{name}/scale: the new replica count, validated as `ValidateScale` does
 * (`Scale.autoscaling "web" is invalid: spec.replicas: …`). The returned object has the count and,
 * when it changed, the next generation (what replaying `ReplicaSetScaled` gives).
 */
export function scaleReplicaSet(current: ReplicaSet, replicas: unknown): ReplicaSetScale {
  const name = current.metadata?.name ?? ''
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    return invalid('Scale', 'autoscaling', name, [fieldError.typeInvalid('spec.replicas', replicas, 'must be an integer')])
  }
  const causes = validateNonnegative(replicas, 'spec.replicas')
  if (replicas > 2 ** 31 - 1) causes.push(fieldError.invalid('spec.replicas', replicas, 'must be less than or equal to 2147483647'))
  if (causes.length > 0) return invalid('Scale', 'autoscaling', name, causes)
  const changed = current.spec?.replicas !== replicas
  const generation = current.metadata?.generation ?? 1
  const replicaSet: ReplicaSet = {
    ...current,
    metadata: { ...current.metadata, generation: changed ? generation + 1 : generation },
    spec: { ...current.spec!, replicas },
  }
  return { ok: true, replicaSet, changed }
}
