/**
 * Pod validation after Kubernetes' pkg/apis/core/validation (`ValidatePodCreate`,
 * `ValidatePodSpec`), cut down to the rules that matter here, plus the structural check of the
 * published OpenAPI schema (via kubernetes-models). Pure; every error is a StatusCause rendered the
 * way `field.Error` renders it.
 *
 * Inputs come straight from users, so nothing here trusts the static `Pod` type: a field of the
 * wrong JSON type is left to the schema check (FieldValueTypeInvalid) and skipped by the rules.
 */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { StatusCause } from 'kubernetes-types/meta/v1.js'
import { Pod as PodModel } from 'kubernetes-models/v1/Pod'
import {
  compareQuantity,
  formatQuantity,
  isNegative,
  isQuantityError,
  parseQuantityValue,
  type Quantity,
} from '../quantity.js'
import {
  fieldError,
  index,
  inclusiveRangeError,
  isDNS1123Label,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  key,
  nameIsDNSSubdomain,
  validateLabels,
  validateObjectMeta,
  type FieldCause,
} from './names.js'

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const absent = (x: unknown) => x === undefined || x === null || x === ''
const MAX_INT32 = 2 ** 31 - 1

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const
export const TOLERATION_OPERATORS = ['Equal', 'Exists'] as const
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const

/** Rules first, then any schema error on a field the rules did not already report. */
export function validatePod(pod: Pod): StatusCause[] {
  return mergeCauses(validatePodRules(pod), validatePodSchema(pod))
}

/** The semantic rules alone (no schema): what `ValidatePodCreate` would say. */
export function validatePodRules(pod: Pod): FieldCause[] {
  const p: Obj = isObj(pod) ? (pod as Obj) : {}
  const errs = validateObjectMeta(p.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain })
  errs.push(...validatePodSpec(isObj(p.spec) ? p.spec : {}, 'spec'))
  return errs
}

/** `ValidatePodSpec`, simplified. */
export function validatePodSpec(spec: Obj, path: string): FieldCause[] {
  const errs: FieldCause[] = []
  const names = new Set<string>()
  const { containers, initContainers, ephemeralContainers } = spec
  if (containers === undefined || containers === null || (Array.isArray(containers) && containers.length === 0)) {
    errs.push(fieldError.required(`${path}.containers`))
  } else if (Array.isArray(containers)) {
    containers.forEach((c, i) => errs.push(...validateContainer(c, index(`${path}.containers`, i), names)))
  }
  if (Array.isArray(initContainers)) {
    initContainers.forEach((c, i) => errs.push(...validateContainer(c, index(`${path}.initContainers`, i), names)))
  }
  if (Array.isArray(ephemeralContainers) && ephemeralContainers.length > 0) {
    errs.push(fieldError.forbidden(`${path}.ephemeralContainers`, 'cannot be set on create'))
  }
  if (typeof spec.restartPolicy === 'string') {
    if (spec.restartPolicy === '') errs.push(fieldError.required(`${path}.restartPolicy`))
    else if (!(RESTART_POLICIES as readonly string[]).includes(spec.restartPolicy)) {
      errs.push(fieldError.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES))
    }
  }
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) {
    errs.push(fieldError.invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'))
  }
  const ads = spec.activeDeadlineSeconds
  if (typeof ads === 'number' && (ads < 1 || ads > MAX_INT32)) {
    errs.push(fieldError.invalid(`${path}.activeDeadlineSeconds`, ads, inclusiveRangeError(1, MAX_INT32)))
  }
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '') {
    for (const msg of nameIsDNSSubdomain(spec.nodeName, false)) errs.push(fieldError.invalid(`${path}.nodeName`, spec.nodeName, msg))
  }
  if (isObj(spec.nodeSelector)) errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`))
  if (Array.isArray(spec.tolerations)) errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`))
  return errs
}

/** `validateContainerCommon` for one container; `names` collects names for the duplicate check. */
function validateContainer(c: unknown, path: string, names: Set<string>): FieldCause[] {
  if (!isObj(c)) return []
  const errs: FieldCause[] = []
  if (absent(c.name)) {
    errs.push(fieldError.required(`${path}.name`))
  } else if (typeof c.name === 'string') {
    for (const msg of isDNS1123Label(c.name)) errs.push(fieldError.invalid(`${path}.name`, c.name, msg))
    if (names.has(c.name)) errs.push(fieldError.duplicate(`${path}.name`, c.name))
    names.add(c.name)
  }
  if (absent(c.image)) errs.push(fieldError.required(`${path}.image`))
  if (typeof c.imagePullPolicy === 'string') {
    if (c.imagePullPolicy === '') errs.push(fieldError.required(`${path}.imagePullPolicy`))
    else if (!(PULL_POLICIES as readonly string[]).includes(c.imagePullPolicy)) {
      errs.push(fieldError.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES))
    }
  }
  if (Array.isArray(c.ports)) errs.push(...validatePorts(c.ports, `${path}.ports`))
  if (Array.isArray(c.env)) errs.push(...validateEnv(c.env, `${path}.env`))
  if (isObj(c.resources)) errs.push(...validateResourceRequirements(c.resources, `${path}.resources`))
  return errs
}

const PORT_NAME_CHARSET = /^[-a-z0-9]+$/
const HAS_LETTER = /[a-z]/

/** `IsValidPortName`. */
function portNameErrors(port: string): string[] {
  const errs: string[] = []
  if (port.length > 15) errs.push('must be no more than 15 characters')
  if (!PORT_NAME_CHARSET.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')
  if (!HAS_LETTER.test(port)) errs.push('must contain at least one letter (a-z)')
  if (port.includes('--')) errs.push('must not contain consecutive hyphens')
  if (port.startsWith('-') || port.endsWith('-')) errs.push('must not begin or end with a hyphen')
  return errs
}

/** `validateContainerPorts`. */
function validatePorts(ports: unknown[], path: string): FieldCause[] {
  const errs: FieldCause[] = []
  const names = new Set<string>()
  ports.forEach((port, i) => {
    if (!isObj(port)) return
    const p = index(path, i)
    if (typeof port.name === 'string' && port.name !== '') {
      const msgs = portNameErrors(port.name)
      for (const msg of msgs) errs.push(fieldError.invalid(`${p}.name`, port.name, msg))
      if (msgs.length === 0 && names.has(port.name)) errs.push(fieldError.duplicate(`${p}.name`, port.name))
      names.add(port.name)
    }
    if (port.containerPort === undefined || port.containerPort === 0) errs.push(fieldError.required(`${p}.containerPort`))
    else if (typeof port.containerPort === 'number' && (port.containerPort < 1 || port.containerPort > 65535)) {
      errs.push(fieldError.invalid(`${p}.containerPort`, port.containerPort, inclusiveRangeError(1, 65535)))
    }
    if (typeof port.hostPort === 'number' && port.hostPort !== 0 && (port.hostPort < 1 || port.hostPort > 65535)) {
      errs.push(fieldError.invalid(`${p}.hostPort`, port.hostPort, inclusiveRangeError(1, 65535)))
    }
    if (port.protocol === '') errs.push(fieldError.required(`${p}.protocol`))
    else if (typeof port.protocol === 'string' && !(PORT_PROTOCOLS as readonly string[]).includes(port.protocol)) {
      errs.push(fieldError.notSupported(`${p}.protocol`, port.protocol, PORT_PROTOCOLS))
    }
  })
  return errs
}

/** `ValidateEnv`: names, and the shape of `valueFrom`. */
function validateEnv(env: unknown[], path: string): FieldCause[] {
  const errs: FieldCause[] = []
  env.forEach((ev, i) => {
    if (!isObj(ev)) return
    const p = index(path, i)
    if (absent(ev.name)) errs.push(fieldError.required(`${p}.name`))
    else if (typeof ev.name === 'string') for (const msg of isEnvVarName(ev.name)) errs.push(fieldError.invalid(`${p}.name`, ev.name, msg))
    if (isObj(ev.valueFrom)) {
      const from = ev.valueFrom
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => from[k] !== undefined && from[k] !== null).length
      if (sources === 0) {
        errs.push(fieldError.invalid(`${p}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'))
      } else {
        if (typeof ev.value === 'string' && ev.value !== '') errs.push(fieldError.invalid(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'))
        if (sources > 1) errs.push(fieldError.invalid(`${p}.valueFrom`, '', 'may not have more than one field specified at a time'))
      }
    }
  })
  return errs
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage'])
const isHugePages = (name: string) => name.startsWith('hugepages-') || name.startsWith('requests.hugepages-')
/** `IsNativeResource`: no domain, or a kubernetes.io one. */
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/')
/** `IsOvercommitAllowed`: requests may be below limits. */
const overcommitAllowed = (name: string) => isNative(name) && !isHugePages(name)

/** `validateContainerResourceName`, simplified: a qualified name, standard when it has no domain. */
function validateResourceName(name: string, path: string): FieldCause[] {
  const errs = isQualifiedName(name).map((msg) => fieldError.invalid(path, name, msg))
  if (errs.length === 0 && !name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
    errs.push(fieldError.invalid(path, name, 'must be a standard resource for containers'))
  }
  return errs
}

/**
 * `ValidateResourceQuantityValue` for one entry: parses (malformed → Kubernetes' parse message),
 * then non-negative. Returns the quantity when it parsed, for comparisons.
 */
export function validateQuantityValue(value: unknown, path: string, errs: FieldCause[]): Quantity | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined // the schema reports the type
  let q: Quantity
  try {
    q = parseQuantityValue(value)
  } catch (e) {
    if (isQuantityError(e)) {
      errs.push(fieldError.invalid(path, value, e.message))
      return undefined
    }
    throw e
  }
  if (isNegative(q)) errs.push(fieldError.invalid(path, formatQuantity(q), 'must be greater than or equal to 0'))
  return q
}

/** `ValidateResourceRequirements`: names, quantities, and requests ≤ limits. */
export function validateResourceRequirements(resources: Obj, path: string): FieldCause[] {
  const errs: FieldCause[] = []
  const limPath = `${path}.limits`
  const reqPath = `${path}.requests`
  const limits = new Map<string, Quantity>()
  if (isObj(resources.limits)) {
    for (const [name, value] of Object.entries(resources.limits)) {
      const p = key(limPath, name)
      errs.push(...validateResourceName(name, p))
      const q = validateQuantityValue(value, p, errs)
      if (q) limits.set(name, q)
    }
  }
  if (isObj(resources.requests)) {
    for (const [name, value] of Object.entries(resources.requests)) {
      const p = key(reqPath, name)
      errs.push(...validateResourceName(name, p))
      const q = validateQuantityValue(value, p, errs)
      if (!q) continue
      const limit = limits.get(name)
      const limitGiven = isObj(resources.limits) && resources.limits[name] !== undefined
      if (limit) {
        const cmp = compareQuantity(q, limit)
        if (cmp !== 0 && !overcommitAllowed(name)) {
          errs.push(fieldError.invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`))
        } else if (cmp > 0) {
          errs.push(fieldError.invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`))
        }
      } else if (!limitGiven && !overcommitAllowed(name)) {
        errs.push(fieldError.required(limPath, 'Limit must be set for non overcommitable resources'))
      }
    }
  }
  return errs
}

/** `validateTaintEffect`. */
export function validateTaintEffect(effect: unknown, allowEmpty: boolean, path: string): FieldCause[] {
  if (absent(effect)) return allowEmpty ? [] : [fieldError.required(path)]
  if (typeof effect !== 'string') return []
  if ((TAINT_EFFECTS as readonly string[]).includes(effect)) return []
  return [fieldError.notSupported(path, effect, TAINT_EFFECTS)]
}

/** `ValidateTolerations`. */
export function validateTolerations(tolerations: unknown[], path: string): FieldCause[] {
  const errs: FieldCause[] = []
  tolerations.forEach((t, i) => {
    if (!isObj(t)) return
    const p = index(path, i)
    const tkey = typeof t.key === 'string' ? t.key : ''
    const operator = typeof t.operator === 'string' ? t.operator : ''
    const effect = typeof t.effect === 'string' ? t.effect : ''
    const value = typeof t.value === 'string' ? t.value : ''
    if (tkey) for (const msg of isQualifiedName(tkey)) errs.push(fieldError.invalid(`${p}.key`, tkey, msg))
    if (!tkey && operator !== 'Exists') {
      errs.push(fieldError.invalid(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'))
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== 'NoExecute') {
      errs.push(fieldError.invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isValidLabelValue(value)
      if (msgs.length) errs.push(fieldError.invalid(`${p}.operator`, value, msgs.join(';')))
    } else if (operator === 'Exists') {
      if (value) errs.push(fieldError.invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"))
    } else {
      errs.push(fieldError.notSupported(`${p}.operator`, operator, TOLERATION_OPERATORS))
    }
    if (effect) errs.push(...validateTaintEffect(effect, true, `${p}.effect`))
  })
  return errs
}

/* ------------------------------------------------------------------------------------------------
 * The structural check against the OpenAPI schema (kubernetes-models' compiled ajv validator).
 * ---------------------------------------------------------------------------------------------- */

export interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

/**
 * JSON-pointer segments whose children are map keys, printed `[key]` like `field.Path.Key`.
 * (Node capacity/allocatable are not here: Kubernetes names them `status.capacity.cpu`.)
 */
const MAP_FIELDS = new Set(['labels', 'annotations', 'nodeSelector', 'limits', 'requests', 'overhead'])
const GO_TYPES: Record<string, string> = { string: 'string', integer: 'int64', number: 'float64', boolean: 'bool', object: 'struct', array: 'slice' }

/** "/spec/containers/0/resources/limits/cpu" → "spec.containers[0].resources.limits[cpu]". */
export function pointerToPath(pointer: string, root: unknown): { path: string; value: unknown } {
  let path = ''
  let value: unknown = root
  let parentKey = ''
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(value)) path += `[${seg}]`
    else if (MAP_FIELDS.has(parentKey)) path += `[${seg}]`
    else path += path ? `.${seg}` : seg
    value = isObj(value) || Array.isArray(value) ? (value as Record<string, unknown>)[seg] : undefined
    parentKey = seg
  }
  return { path, value }
}

const jsonKind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v)

/**
 * Turns ajv errors into causes, one per field, worded like the decoding error Kubernetes would
 * give for that field: a wrong JSON type is FieldValueTypeInvalid, a bad quantity string the
 * quantity parser's message, an unknown enum value FieldValueNotSupported.
 */
export function schemaErrorsToCauses(errors: readonly AjvError[], root: unknown): FieldCause[] {
  const byPath = new Map<string, { value: unknown; errors: AjvError[] }>()
  const out: FieldCause[] = []
  for (const e of errors) {
    const { path, value } = pointerToPath(e.instancePath, root)
    if (e.keyword === 'required') {
      const missing = String(e.params.missingProperty)
      out.push(fieldError.required(path ? `${path}.${missing}` : missing))
      continue
    }
    const entry = byPath.get(path) ?? { value, errors: [] }
    entry.errors.push(e)
    byPath.set(path, entry)
  }
  for (const [path, { value, errors: errs }] of byPath) {
    const formats = errs.filter((e) => e.keyword === 'format').map((e) => String(e.params.format))
    const types = errs.filter((e) => e.keyword === 'type').map((e) => String(e.params.type))
    const enumError = errs.find((e) => e.keyword === 'enum')
    const other = errs.find((e) => !['format', 'type', 'enum', 'oneOf', 'anyOf'].includes(e.keyword))
    // oneOf number|string is how the schema spells resource.Quantity; its decoder says the regex.
    const quantity = formats.includes('quantity') || (types.includes('number') && types.includes('string'))
    if (types.length > 0 && !quantity) {
      const goTypes = types.map((t) => GO_TYPES[t] ?? t).join(' or ')
      out.push(fieldError.typeInvalid(path, value, `json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goTypes}`))
    } else if (enumError) {
      out.push(fieldError.notSupported(path, value, ((enumError.params.allowedValues as unknown[]) ?? []).map(String)))
    } else if (quantity) {
      out.push(fieldError.invalid(path, value, quantityMessage(value)))
    } else if (formats.length > 0) {
      out.push(fieldError.typeInvalid(path, value, `json: cannot unmarshal ${jsonKind(value)} ${renderNumber(value)}into Go value of type ${formats[0]}`))
    } else if (other) {
      out.push(fieldError.invalid(path, value, other.message ?? other.keyword))
    }
  }
  return out
}

const renderNumber = (v: unknown) => (typeof v === 'number' ? `${v} ` : '')

function quantityMessage(value: unknown): string {
  try {
    parseQuantityValue(value)
  } catch (e) {
    if (isQuantityError(e)) return e.message
  }
  return 'must be a quantity'
}

/** Runs a kubernetes-models `validate()` against `obj` without copying it; [] when it conforms. */
export function runSchema(validate: (this: unknown) => void, obj: unknown): FieldCause[] {
  try {
    validate.call(obj)
    return []
  } catch (e) {
    const errors = (e as { errors?: unknown }).errors
    if (!Array.isArray(errors)) throw e
    return schemaErrorsToCauses(errors as AjvError[], obj)
  }
}

const podSchema = PodModel.prototype.validate as (this: unknown) => void

/** The OpenAPI schema check alone; kind and apiVersion are the admission's business, not this one's. */
export function validatePodSchema(pod: Pod): FieldCause[] {
  return runSchema(podSchema, { ...pod, apiVersion: 'v1', kind: 'Pod' })
}

/** Rules' causes, then schema causes for fields the rules did not name; duplicates dropped. */
export function mergeCauses(rules: readonly FieldCause[], schema: readonly FieldCause[]): FieldCause[] {
  const fields = new Set(rules.map((c) => c.field))
  const seen = new Set<string>()
  const out: FieldCause[] = []
  for (const c of [...rules, ...schema.filter((s) => !fields.has(s.field))]) {
    const id = `${c.field}\u0000${c.reason}\u0000${c.message}`
    if (seen.has(id)) continue
    seen.add(id)
    out.push(c)
  }
  return out
}
