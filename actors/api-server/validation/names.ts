/**
 * Name and label checks with Kubernetes' exact messages, after
 * k8s.io/apimachinery/pkg/util/validation/validation.go (v1.30 wording). Each returns a list of
 * messages, empty when the value is valid; callers wrap them into field errors.
 */

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const DNS1123_LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
export const DNS1123_LABEL_MAX_LENGTH = 63
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`
const DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'
const QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
export const QUALIFIED_NAME_MAX_LENGTH = 63
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`
const LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
export const LABEL_VALUE_MAX_LENGTH = 63

const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*'
const ENV_VAR_NAME_ERR = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"

const dns1123Label = new RegExp(`^${DNS1123_LABEL_FMT}$`)
const dns1123Subdomain = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`)
const qualifiedName = new RegExp(`^${QUALIFIED_NAME_FMT}$`)
const labelValue = new RegExp(`^${LABEL_VALUE_FMT}$`)
const envVarName = new RegExp(`^${ENV_VAR_NAME_FMT}$`)

export const emptyError = () => 'must be non-empty'
export const maxLenError = (n: number) => `must be no more than ${n} characters`
export const inclusiveRangeError = (lo: number, hi: number) => `must be between ${lo} and ${hi}, inclusive`

/** `RegexError`: the message, examples, and the regex quoted as Kubernetes prints it. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`
  // Go appends "'x', " per example and " or " between them, hence the double space: "'a',  or 'b', ".
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`
}

/** Go's `len` counts bytes, not UTF-16 units. */
const byteLength = (s: string) => (/^[\x00-\x7f]*$/.test(s) ? s.length : new TextEncoder().encode(s).length)

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = []
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH))
  if (!dns1123Label.test(value)) {
    // A valid subdomain that is not a valid label can only be one with dots (length already checked).
    if (dns1123Subdomain.test(value)) errs.push('must not contain dots')
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'))
  }
  return errs
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = []
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH))
  if (!dns1123Subdomain.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'))
  return errs
}

/** `maskTrailingDash`: a generateName prefix may end in '-'. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name
}

/** `NameIsDNSSubdomain`: object names (pods, nodes); `prefix` for metadata.generateName. */
export function nameIsDNSSubdomain(name: string, prefix: boolean): string[] {
  return isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name)
}

/** `NameIsDNSLabel`: namespace names. */
export function nameIsDNSLabel(name: string, prefix: boolean): string[] {
  return isDNS1123Label(prefix ? maskTrailingDash(name) : name)
}

/** `IsQualifiedName`: label and annotation keys, taint keys ("example.com/MyName"). */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = []
  const parts = value.split('/')
  let name: string
  if (parts.length === 1) {
    name = parts[0]
  } else if (parts.length === 2) {
    const prefix = parts[0]
    name = parts[1]
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`)
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`))
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ]
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`)
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`)
  if (!qualifiedName.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`)
  return errs
}

/** `IsValidLabelValue`: empty, or a qualified name without prefix, at most 63 characters. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = []
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH))
  if (!labelValue.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'))
  return errs
}

/** `IsEnvVarName`: the classic rule (not the RelaxedEnvironmentVariableValidation gate). */
export function isEnvVarName(value: string): string[] {
  const errs: string[] = []
  if (!envVarName.test(value)) errs.push(regexError(ENV_VAR_NAME_ERR, ENV_VAR_NAME_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'))
  if (value === '.') errs.push("must not be '.'")
  else if (value === '..') errs.push("must not be '..'")
  else if (value.startsWith('..')) errs.push("must not start with '..'")
  return errs
}

/* ------------------------------------------------------------------------------------------------
 * Field errors, rendered as k8s.io/apimachinery/pkg/util/validation/field/errors.go renders them:
 * `reason` is the ErrorType, `message` is `ErrorBody()`, `field` the path ("spec.containers[0].image").
 * ---------------------------------------------------------------------------------------------- */

export const CauseType = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
} as const
export type CauseType = keyof typeof CauseType

/** A StatusCause whose fields are all present: what every validator here returns. */
export interface FieldCause {
  reason: CauseType
  message: string
  field: string
}

/**
 * The bad value as Go's `%q`/`%v` prints it: strings quoted, numbers and booleans bare, absent
 * as `null`. Objects are printed as JSON (Go prints its struct syntax there).
 */
export function renderValue(value: unknown): string {
  if (value === undefined || value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

function cause(reason: CauseType, field: string, body: string, detail: string): FieldCause {
  return { reason, message: detail ? `${body}: ${detail}` : body, field }
}

/** Constructors named after Go's `field.Required`, `field.Invalid`, … */
export const fieldError = {
  required: (field: string, detail = '') => cause('FieldValueRequired', field, CauseType.FieldValueRequired, detail),
  forbidden: (field: string, detail: string) => cause('FieldValueForbidden', field, CauseType.FieldValueForbidden, detail),
  invalid: (field: string, value: unknown, detail: string) => cause('FieldValueInvalid', field, `${CauseType.FieldValueInvalid}: ${renderValue(value)}`, detail),
  typeInvalid: (field: string, value: unknown, detail: string) => cause('FieldValueTypeInvalid', field, `${CauseType.FieldValueTypeInvalid}: ${renderValue(value)}`, detail),
  duplicate: (field: string, value: unknown) => cause('FieldValueDuplicate', field, `${CauseType.FieldValueDuplicate}: ${renderValue(value)}`, ''),
  notSupported: (field: string, value: unknown, valid: readonly string[]) =>
    cause('FieldValueNotSupported', field, `${CauseType.FieldValueNotSupported}: ${renderValue(value)}`, valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : ''),
  tooLong: (field: string, maxBytes: number) => cause('FieldValueTooLong', field, CauseType.FieldValueTooLong, `must have at most ${maxBytes} bytes`),
}

/** `field.Path.Index`/`Key`: "spec.containers[0]", "resources.limits[cpu]". */
export const index = (path: string, i: number) => `${path}[${i}]`
export const key = (path: string, k: string) => `${path}[${k}]`

/* ------------------------------------------------------------------------------------------------
 * Object metadata (`ValidateObjectMeta`, `ValidateLabels`, `ValidateAnnotations`).
 * ---------------------------------------------------------------------------------------------- */

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

/** Labels: keys are qualified names, values label values; every error names `metadata.labels`. */
export function validateLabels(labels: unknown, path: string): FieldCause[] {
  if (!isRecord(labels)) return []
  const errs: FieldCause[] = []
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(fieldError.invalid(path, k, msg))
    if (typeof v === 'string') for (const msg of isValidLabelValue(v)) errs.push(fieldError.invalid(path, v, msg))
  }
  return errs
}

/** Annotations: keys are qualified names (case-insensitive), 256 KiB in total. */
export function validateAnnotations(annotations: unknown, path: string): FieldCause[] {
  if (!isRecord(annotations)) return []
  const errs: FieldCause[] = []
  let size = 0
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldError.invalid(path, k, msg))
    size += byteLength(k) + (typeof v === 'string' ? byteLength(v) : 0)
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldError.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT))
  return errs
}

export interface ObjectMetaRules {
  /** Namespaced kinds need a namespace (checked only when present: admission fills it in). */
  namespaced: boolean
  /** `ValidatePodName`, `ValidateNodeName`, …: messages for a name or (prefix) a generateName. */
  nameFn: (name: string, prefix: boolean) => string[]
}

/**
 * `ValidateObjectMeta` for create. A missing name is fine when generateName is given: admission
 * derives the name from it before it stores anything.
 */
export function validateObjectMeta(meta: unknown, rules: ObjectMetaRules, path = 'metadata'): FieldCause[] {
  const m = isRecord(meta) ? meta : {}
  const errs: FieldCause[] = []
  const generateName = typeof m.generateName === 'string' ? m.generateName : ''
  if (generateName) for (const msg of rules.nameFn(generateName, true)) errs.push(fieldError.invalid(`${path}.generateName`, generateName, msg))
  if (m.name === undefined || m.name === null || m.name === '') {
    if (!generateName) errs.push(fieldError.required(`${path}.name`, 'name or generateName is required'))
  } else if (typeof m.name === 'string') {
    for (const msg of rules.nameFn(m.name, false)) errs.push(fieldError.invalid(`${path}.name`, m.name, msg))
  }
  if (typeof m.namespace === 'string' && m.namespace !== '') {
    if (!rules.namespaced) errs.push(fieldError.forbidden(`${path}.namespace`, 'not allowed on this type'))
    else for (const msg of nameIsDNSLabel(m.namespace, false)) errs.push(fieldError.invalid(`${path}.namespace`, m.namespace, msg))
  }
  errs.push(...validateLabels(m.labels, `${path}.labels`))
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`))
  return errs
}
