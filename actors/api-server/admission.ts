/**
 * Admission of Pod and Node writes, as pure functions: what kube-apiserver does between decoding
 * a request body and storing the object (type check, namespace and name rules, defaulting,
 * mutating admission, validation, system fields). Time, uid and the generated name suffix come in
 * through the context; nothing here reads a clock or a random source.
 *
 * The admitted object is returned with its keys in sorted order and its resource quantities in
 * canonical form, so two admissions of the same content serialize to the same bytes.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Status, StatusCause } from 'kubernetes-types/meta/v1.js'
import { failureStatus, invalidStatus } from '../../events/status.js'
import { addDefaultTolerations, defaultNode, defaultPod, type TolerationSeconds } from './defaults.js'
import { addQuantity, compareQuantity, formatQuantity, parseQuantityValue, type Quantity } from './quantity.js'
import { fieldError, renderValue, type FieldCause } from './validation/names.js'
import { validateNode } from './validation/node.js'
import { validatePod, validateTolerations } from './validation/pod.js'

export interface AdmissionContext {
  /** Namespace from the request path; absent for cluster-scoped requests. */
  namespace?: string
  /**
   * Create: the name to give an object that only has `metadata.generateName` (the caller generated
   * it). Update: the name in the request path. Optional in both.
   */
  name?: string
  /** The current time, RFC 3339 (`2024-05-01T12:00:00Z`). */
  now: string
  /** The uid a created object gets. */
  uid: string
  /** Appended to `generateName` when `name` is not given (Kubernetes uses 5 random characters). */
  generatedSuffix?: string
  /** DefaultTolerationSeconds' configuration (300 s each by default). */
  tolerationSeconds?: TolerationSeconds
}

export type PodAdmission = { ok: true; pod: Pod } | { ok: false; status: Status }
export type NodeAdmission = { ok: true; node: Node } | { ok: false; status: Status }

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const str = (x: unknown): string => (typeof x === 'string' ? x : '')
const badRequest = (message: string) => ({ ok: false as const, status: failureStatus('BadRequest', message) })

/** `names.SimpleNameGenerator`: the prefix is cut so the name stays within 63 characters. */
export const MAX_GENERATED_NAME_PREFIX = 58

/* ------------------------------------------------------------------------------------------------
 * Decoding: is the body an object of the expected kind and version?
 * ---------------------------------------------------------------------------------------------- */

/** `summarizeData(body, 30)`: JSON objects shown as text, anything else as hex. */
function summarize(raw: unknown): string {
  let text: string | undefined
  try {
    text = JSON.stringify(raw)
  } catch {
    text = undefined
  }
  if (!text) return '<empty>'
  if (text.startsWith('{')) return text.length > 30 ? `${text.slice(0, 30)} ...` : text
  const hex = Array.from(new TextEncoder().encode(text.slice(0, 30)), (b) => b.toString(16).padStart(2, '0')).join('')
  return text.length > 30 ? `${hex} ...` : hex
}

const jsonKind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v)

/**
 * The decoder's checks, with kube-apiserver's messages. A missing `kind` or `apiVersion` is filled
 * in from the endpoint, as Kubernetes' decoder does with its default GroupVersionKind.
 */
export function checkTypeMeta(raw: unknown, kind: 'Pod' | 'Node'): { ok: true; obj: Obj } | { ok: false; status: Status } {
  const unrecognized = (why: string) => badRequest(`the object provided is unrecognized (must be of type ${kind}): ${why} (${summarize(raw)})`)
  if (!isObj(raw)) {
    return unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(raw)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`)
  }
  for (const f of ['apiVersion', 'kind'] as const) {
    if (raw[f] !== undefined && typeof raw[f] !== 'string') {
      return unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(raw[f])} into Go struct field .${f} of type string`)
    }
  }
  const givenKind = str(raw.kind) || kind
  const givenVersion = str(raw.apiVersion) || 'v1'
  if (givenKind !== kind) {
    const [group, version] = givenVersion.includes('/') ? givenVersion.split('/', 2) : ['', givenVersion]
    return badRequest(`${givenKind} in version "${version}" cannot be handled as a ${kind}: no kind "${givenKind}" is registered for the endpoint of kind "${kind}" in group "${group}"`)
  }
  if (givenVersion !== 'v1') {
    return badRequest(`the API version in the data (${givenVersion}) does not match the expected API version (v1)`)
  }
  return { ok: true, obj: { ...raw, apiVersion: 'v1', kind } }
}

/* ------------------------------------------------------------------------------------------------
 * Helpers shared by creates and updates.
 * ---------------------------------------------------------------------------------------------- */

/** Deep copy with object keys sorted: the stored form, whose serialization depends on content only. */
export function canonicalize<T>(value: T): T {
  if (Array.isArray(value)) return value.map(canonicalize) as T
  if (!isObj(value)) return value
  const out: Obj = {}
  for (const k of Object.keys(value).sort()) if (value[k] !== undefined) out[k] = canonicalize(value[k])
  return out as T
}

/** Key-order-insensitive equality of JSON values (an absent key equals an `undefined` one). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  }
  if (!isObj(a) || !isObj(b)) return false
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const k of keys) if (!deepEqual(a[k], b[k])) return false
  return true
}

/** Rewrites every quantity of a resource list in Kubernetes' canonical form ("1000m" → "1", 2 → "2"). */
function canonicalQuantities(list: unknown): unknown {
  if (!isObj(list)) return list
  const out: Obj = {}
  for (const [k, v] of Object.entries(list)) {
    try {
      out[k] = formatQuantity(parseQuantityValue(v))
    } catch {
      out[k] = v // only reachable for objects stored before validation knew better: keep them as they are
    }
  }
  return out
}

function canonicalPodQuantities(spec: Obj): Obj {
  const fix = (cs: unknown) =>
    Array.isArray(cs)
      ? cs.map((c) => {
          if (!isObj(c) || !isObj(c.resources)) return c
          const r: Obj = { ...c.resources }
          if (r.limits !== undefined) r.limits = canonicalQuantities(r.limits)
          if (r.requests !== undefined) r.requests = canonicalQuantities(r.requests)
          return { ...c, resources: r }
        })
      : cs
  return { ...spec, containers: fix(spec.containers), ...(spec.initContainers !== undefined ? { initContainers: fix(spec.initContainers) } : {}) }
}

/** Metadata fields only the server sets; whatever a client sends there is dropped on create. */
/** Metadata fields only the server sets. */
export const SYSTEM_META = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'generation'] as const

export function withoutSystemMeta(meta: Obj): Obj {
  const out = { ...meta }
  for (const k of SYSTEM_META) delete out[k]
  return out
}

/** Name for a create: the body's, else the caller's generated one, else generateName + suffix. */
export function createName(meta: Record<string, unknown>, ctx: AdmissionContext): string {
  const name = str(meta.name)
  if (name) return name
  const generateName = str(meta.generateName)
  if (!generateName) return ''
  if (ctx.name) return ctx.name
  if (ctx.generatedSuffix === undefined) throw new Error('admission: generateName needs ctx.name or ctx.generatedSuffix')
  return generateName.slice(0, MAX_GENERATED_NAME_PREFIX) + ctx.generatedSuffix
}

/* ------------------------------------------------------------------------------------------------
 * QoS (`GetPodQOS`).
 * ---------------------------------------------------------------------------------------------- */

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort'
const QOS_RESOURCES = new Set(['cpu', 'memory'])

/**
 * Guaranteed when every container limits cpu and memory and the pod's requests equal its limits;
 * BestEffort when nothing is requested or limited; Burstable otherwise. Zero quantities count as
 * unset. Quantities that do not parse are ignored (validation has refused them already).
 */
export function podQOSClass(pod: Pod): QOSClass {
  const requests = new Map<string, Quantity>()
  const limits = new Map<string, Quantity>()
  let guaranteed = true
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]
  const positive = (v: unknown): Quantity | undefined => {
    try {
      const q = parseQuantityValue(v)
      return q.nanos > 0n ? q : undefined
    } catch {
      return undefined
    }
  }
  const add = (into: Map<string, Quantity>, name: string, q: Quantity) => into.set(name, into.has(name) ? addQuantity(into.get(name)!, q) : q)
  for (const c of containers) {
    for (const [name, v] of Object.entries(c.resources?.requests ?? {})) {
      const q = QOS_RESOURCES.has(name) ? positive(v) : undefined
      if (q) add(requests, name, q)
    }
    const found = new Set<string>()
    for (const [name, v] of Object.entries(c.resources?.limits ?? {})) {
      const q = QOS_RESOURCES.has(name) ? positive(v) : undefined
      if (!q) continue
      found.add(name)
      add(limits, name, q)
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort'
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name)
      if (!lim || compareQuantity(lim, req) !== 0) {
        guaranteed = false
        break
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable'
}

/* ------------------------------------------------------------------------------------------------
 * Pods.
 * ---------------------------------------------------------------------------------------------- */

/** Defaults, default tolerations and validation; the pod as it would be stored, or its causes. */
function defaultAndValidatePod(obj: Obj, ctx: AdmissionContext): { pod: Pod; causes: StatusCause[] } {
  const pod = addDefaultTolerations(defaultPod(obj as unknown as Pod), ctx.tolerationSeconds)
  return { pod, causes: validatePod(pod) }
}

/** POST /api/v1/namespaces/{ns}/pods. */
export function admitPodCreate(raw: unknown, ctx: AdmissionContext): PodAdmission {
  const decoded = checkTypeMeta(raw, 'Pod')
  if (!decoded.ok) return decoded
  const obj = decoded.obj
  const given = isObj(obj.metadata) ? obj.metadata : obj.metadata === undefined || obj.metadata === null ? {} : undefined
  if (!given) return invalid('Pod', '', validatePod(obj as unknown as Pod))
  const bodyNs = str(given.namespace)
  if (bodyNs && ctx.namespace && bodyNs !== ctx.namespace) {
    return badRequest('the namespace of the provided object does not match the namespace sent on the request')
  }
  const meta = withoutSystemMeta(given)
  meta.namespace = bodyNs || ctx.namespace || 'default'
  const name = createName(meta, ctx)
  if (name) meta.name = name
  const { pod, causes } = defaultAndValidatePod({ ...obj, metadata: meta }, ctx)
  if (causes.length > 0) return invalid('Pod', name, causes)
  const spec = canonicalPodQuantities(pod.spec as unknown as Obj) as unknown as Pod['spec']
  const admitted: Pod = {
    ...pod,
    metadata: { ...pod.metadata, uid: ctx.uid, creationTimestamp: ctx.now },
    spec,
    status: { phase: 'Pending', qosClass: podQOSClass({ ...pod, spec }) },
  }
  return { ok: true, pod: canonicalize(admitted) }
}

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
]

/** Paths where two JSON values differ, for the Forbidden message (Kubernetes prints a cmp.Diff). */
function diffPaths(a: unknown, b: unknown, path: string, out: string[]): string[] {
  if (out.length >= 10 || deepEqual(a, b)) return out
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => diffPaths(x, b[i], `${path}[${i}]`, out))
  } else if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffPaths(a[k], b[k], `${path}.${k}`, out)
  } else {
    out.push(`- ${path}: ${renderValue(a)}\n+ ${path}: ${renderValue(b)}`)
  }
  return out
}

/** `validateOnlyAddedTolerations`: existing tolerations stay, except for their tolerationSeconds. */
function validateOnlyAddedTolerations(next: unknown[], prev: unknown[], path: string): FieldCause[] {
  for (const old of prev) {
    const found = next.some((t) => isObj(t) && isObj(old) && deepEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t))
    if (!found) return [fieldError.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')]
  }
  return validateTolerations(next, path)
}

/** `ValidatePodUpdate`: what may change in a pod's spec once it exists. */
export function validatePodUpdate(next: Pod, prev: Pod): FieldCause[] {
  const errs: FieldCause[] = []
  const nSpec = (next.spec ?? {}) as unknown as Obj
  const pSpec = (prev.spec ?? {}) as unknown as Obj
  for (const list of ['containers', 'initContainers'] as const) {
    const n = Array.isArray(nSpec[list]) ? (nSpec[list] as Obj[]) : []
    const p = Array.isArray(pSpec[list]) ? (pSpec[list] as Obj[]) : []
    if (n.length !== p.length) return [fieldError.forbidden(`spec.${list}`, 'pod updates may not add or remove containers')]
    n.forEach((c, i) => {
      const image = str(c?.image)
      if (image && image.trim() !== image) errs.push(fieldError.invalid(`spec.${list}[${i}].image`, image, 'must not have leading or trailing whitespace'))
    })
  }
  const nAds = nSpec.activeDeadlineSeconds
  const pAds = pSpec.activeDeadlineSeconds
  if (typeof nAds === 'number') {
    if (nAds < 0 || nAds > 2 ** 31 - 1) return [...errs, fieldError.invalid('spec.activeDeadlineSeconds', nAds, 'must be between 0 and 2147483647, inclusive')]
    if (typeof pAds === 'number' && pAds < nAds) return [...errs, fieldError.invalid('spec.activeDeadlineSeconds', nAds, 'must be less than or equal to previous value')]
  } else if (typeof pAds === 'number') {
    errs.push(fieldError.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'))
  }
  errs.push(
    ...validateOnlyAddedTolerations(Array.isArray(nSpec.tolerations) ? nSpec.tolerations : [], Array.isArray(pSpec.tolerations) ? pSpec.tolerations : [], 'spec.tolerations'),
  )
  // Munge the updatable fields to their old values; whatever still differs may not change.
  const munge = (cs: unknown, old: unknown) =>
    Array.isArray(cs) && Array.isArray(old) ? cs.map((c, i) => (isObj(c) && isObj(old[i]) ? { ...c, image: old[i].image } : c)) : cs
  const munged: Obj = {
    ...nSpec,
    containers: munge(nSpec.containers, pSpec.containers),
    initContainers: munge(nSpec.initContainers, pSpec.initContainers),
    activeDeadlineSeconds: pAds,
    tolerations: pSpec.tolerations,
  }
  const pGrace = pSpec.terminationGracePeriodSeconds
  if (typeof pGrace === 'number' && pGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = pGrace
  if (!deepEqual(munged, pSpec)) {
    const diff = diffPaths(pSpec, munged, 'spec', []).join('\n')
    errs.push(fieldError.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`))
  }
  return errs
}

/** Checks shared by pod and node updates: names, namespaces, uid. Returns the merged metadata. */
function updateMeta(
  current: { metadata?: Obj },
  obj: Obj,
  ctx: AdmissionContext,
  namespaced: boolean,
): { ok: true; meta: Obj } | { ok: false; status: Status } | { ok: 'invalid'; causes: FieldCause[] } {
  const cur = (current.metadata ?? {}) as Obj
  const given = isObj(obj.metadata) ? obj.metadata : {}
  const urlName = ctx.name ?? str(cur.name)
  const name = str(given.name)
  if (name !== urlName) return badRequest(`the name of the object (${name}) does not match the name on the URL (${urlName})`)
  const meta: Obj = { ...given }
  if (namespaced) {
    const reqNs = ctx.namespace ?? str(cur.namespace)
    const ns = str(given.namespace)
    if (ns && reqNs && ns !== reqNs) return badRequest(`the namespace of the object (${ns}) does not match the namespace on the request (${reqNs})`)
    meta.namespace = str(cur.namespace) || reqNs
  } else {
    delete meta.namespace
  }
  const uid = str(given.uid)
  if (uid && uid !== str(cur.uid)) return { ok: 'invalid', causes: [fieldError.invalid('metadata.uid', uid, 'field is immutable')] }
  delete meta.resourceVersion
  delete meta.selfLink
  for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
    if (cur[k] !== undefined) meta[k] = cur[k]
    else delete meta[k]
  }
  return { ok: true, meta }
}

/**
 * Fields a PUT body may leave out without meaning "change": the binding, and each container's
 * pull policy (its default depends on the image, which may change). kubectl gets the same effect
 * by patching the live object; a bare PUT to Kubernetes would be refused.
 */
function inheritUnset(spec: Obj, current: Pod): Obj {
  if ((spec.nodeName === undefined || spec.nodeName === '') && current.spec?.nodeName) spec.nodeName = current.spec.nodeName
  for (const list of ['containers', 'initContainers'] as const) {
    const prev = current.spec?.[list]
    const next = spec[list]
    if (!Array.isArray(next) || !prev) continue
    spec[list] = next.map((c: unknown, i) =>
      isObj(c) && (c.imagePullPolicy === undefined || c.imagePullPolicy === '') && prev[i]?.imagePullPolicy ? { ...c, imagePullPolicy: prev[i].imagePullPolicy } : c,
    )
  }
  return spec
}

/**
 * PUT /api/v1/namespaces/{ns}/pods/{name}. Labels, annotations, container images,
 * activeDeadlineSeconds (down only) and added tolerations may change; uid, creationTimestamp,
 * status and the binding (`spec.nodeName`) are kept from `current`. The resourceVersion
 * precondition is the caller's (it knows the log's revision).
 */
export function admitPodUpdate(current: Pod, raw: unknown, ctx: AdmissionContext): PodAdmission {
  const decoded = checkTypeMeta(raw, 'Pod')
  if (!decoded.ok) return decoded
  const obj = decoded.obj
  const name = str(current.metadata?.name)
  const m = updateMeta(current as unknown as { metadata?: Obj }, obj, ctx, true)
  if (m.ok === 'invalid') return invalid('Pod', name, m.causes)
  if (!m.ok) return m
  const spec = isObj(obj.spec) ? inheritUnset({ ...obj.spec }, current) : obj.spec
  const { pod, causes } = defaultAndValidatePod({ ...obj, metadata: m.meta, spec }, ctx)
  if (causes.length > 0) return invalid('Pod', name, causes)
  const prev = defaultPod(current)
  const updateCauses = validatePodUpdate(
    { ...pod, spec: canonicalPodQuantities(pod.spec as unknown as Obj) as unknown as Pod['spec'] },
    { ...prev, spec: canonicalPodQuantities(prev.spec as unknown as Obj) as unknown as Pod['spec'] },
  )
  if (updateCauses.length > 0) return invalid('Pod', name, updateCauses)
  const { status: _clientStatus, ...rest } = pod
  const admitted: Pod = {
    ...rest,
    spec: canonicalPodQuantities(pod.spec as unknown as Obj) as unknown as Pod['spec'],
    ...(current.status !== undefined ? { status: current.status } : {}),
  }
  return { ok: true, pod: canonicalize(admitted) }
}

/* ------------------------------------------------------------------------------------------------
 * Nodes (cluster-scoped).
 * ---------------------------------------------------------------------------------------------- */

function canonicalNodeStatus(status: unknown): unknown {
  if (!isObj(status)) return status
  const out: Obj = { ...status }
  if (out.capacity !== undefined) out.capacity = canonicalQuantities(out.capacity)
  if (out.allocatable !== undefined) out.allocatable = canonicalQuantities(out.allocatable)
  return out
}

/** POST /api/v1/nodes. A namespace in the body is dropped; status (capacity) is kept, as Kubernetes does. */
export function admitNodeCreate(raw: unknown, ctx: AdmissionContext): NodeAdmission {
  const decoded = checkTypeMeta(raw, 'Node')
  if (!decoded.ok) return decoded
  const obj = decoded.obj
  const given = isObj(obj.metadata) ? obj.metadata : obj.metadata === undefined || obj.metadata === null ? {} : undefined
  if (!given) return invalid('Node', '', validateNode(obj as unknown as Node))
  const meta = withoutSystemMeta(given)
  delete meta.namespace
  const name = createName(meta, ctx)
  if (name) meta.name = name
  const node = defaultNode({ ...obj, metadata: meta } as unknown as Node)
  const causes = validateNode(node)
  if (causes.length > 0) return invalid('Node', name, causes)
  const admitted: Node = {
    ...node,
    metadata: { ...node.metadata, uid: ctx.uid, creationTimestamp: ctx.now },
    status: canonicalNodeStatus(node.status) as Node['status'],
  }
  return { ok: true, node: canonicalize(admitted) }
}

/**
 * PUT /api/v1/nodes/{name}. Spec and metadata may change (taints, unschedulable, labels);
 * `providerID` and `podCIDR(s)` only from unset. Status is kept from `current` (it changes
 * through the status endpoint).
 */
export function admitNodeUpdate(current: Node, raw: unknown, ctx: AdmissionContext): NodeAdmission {
  const decoded = checkTypeMeta(raw, 'Node')
  if (!decoded.ok) return decoded
  const obj = decoded.obj
  const name = str(current.metadata?.name)
  const m = updateMeta(current as unknown as { metadata?: Obj }, obj, ctx, false)
  if (m.ok === 'invalid') return invalid('Node', name, m.causes)
  if (!m.ok) return m
  const node = defaultNode({ ...obj, metadata: m.meta, status: current.status ?? {} } as unknown as Node)
  const causes = [...validateNode(node), ...validateNodeUpdate(node, current)]
  if (causes.length > 0) return invalid('Node', name, causes)
  return { ok: true, node: canonicalize({ ...node, status: canonicalNodeStatus(node.status) as Node['status'] }) }
}

/** `ValidateNodeUpdate`, the parts that apply: providerID and podCIDRs are set once. */
export function validateNodeUpdate(next: Node, prev: Node): FieldCause[] {
  const errs: FieldCause[] = []
  const prevCIDRs = prev.spec?.podCIDRs ?? (prev.spec?.podCIDR ? [prev.spec.podCIDR] : [])
  const nextCIDRs = next.spec?.podCIDRs ?? (next.spec?.podCIDR ? [next.spec.podCIDR] : [])
  if (prevCIDRs.length > 0 && !deepEqual(prevCIDRs, nextCIDRs)) {
    errs.push(fieldError.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'))
  }
  if (prev.spec?.providerID && prev.spec.providerID !== next.spec?.providerID) {
    errs.push(fieldError.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'))
  }
  return errs
}

function invalid(kind: 'Pod' | 'Node', name: string, causes: StatusCause[]): { ok: false; status: Status } {
  return { ok: false, status: invalidStatus(kind, name, causes) }
}
