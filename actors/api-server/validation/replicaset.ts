/**
 * ReplicaSet validation after Kubernetes 1.32's pkg/apis/apps/validation (`ValidateReplicaSet`,
 * `ValidateReplicaSetSpec`, `ValidatePodTemplateSpecForReplicaSet`, `ValidateReplicaSetStatus`),
 * the apps/v1 strategy's immutable selector, and apimachinery's `ValidateLabelSelector`, plus the
 * OpenAPI schema check (kubernetes-models). The template's pod spec goes through the Pod rules
 * under `spec.template.spec…`. Pure; nothing trusts the static types (bodies come from users).
 */
import type { ReplicaSet, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js'
import type { LabelSelector, StatusCause } from 'kubernetes-types/meta/v1.js'
import { ReplicaSet as ReplicaSetModel } from 'kubernetes-models/apps/v1/ReplicaSet'
import {
  fieldError,
  index,
  isQualifiedName,
  isValidLabelValue,
  nameIsDNSSubdomain,
  validateAnnotations,
  validateLabels,
  validateObjectMeta,
  type FieldCause,
} from './names.js'
import { mergeCauses, runSchema, validatePodSpec } from './pod.js'

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const absent = (x: unknown) => x === undefined || x === null

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const
const IS_NEGATIVE = 'must be greater than or equal to 0'

/** `ValidateReplicaSetName`: a DNS-1123 subdomain (prefix: a generateName may end in '-'). */
export const validateReplicaSetName = nameIsDNSSubdomain

/** `ValidateNonnegativeField` for an integer the schema has typed already (anything else is skipped). */
export function validateNonnegative(value: unknown, path: string): FieldCause[] {
  return typeof value === 'number' && value < 0 ? [fieldError.invalid(path, value, IS_NEGATIVE)] : []
}

/* ------------------------------------------------------------------------------------------------
 * Label selectors.
 * ---------------------------------------------------------------------------------------------- */

/** `ValidateLabelSelector` (strict: values must be valid label values). */
export function validateLabelSelector(selector: unknown, path: string): FieldCause[] {
  if (!isObj(selector)) return []
  const errs = validateLabels(selector.matchLabels, `${path}.matchLabels`)
  if (Array.isArray(selector.matchExpressions)) {
    selector.matchExpressions.forEach((req, i) => errs.push(...validateRequirement(req, index(`${path}.matchExpressions`, i))))
  }
  return errs
}

/** `ValidateLabelSelectorRequirement`. */
function validateRequirement(req: unknown, path: string): FieldCause[] {
  if (!isObj(req)) return []
  const errs: FieldCause[] = []
  const values = Array.isArray(req.values) ? req.values : []
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(fieldError.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"))
      break
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(fieldError.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
      break
    default:
      errs.push(fieldError.invalid(`${path}.operator`, req.operator, 'not a valid selector operator'))
  }
  const key = typeof req.key === 'string' ? req.key : ''
  for (const msg of isQualifiedName(key)) errs.push(fieldError.invalid(`${path}.key`, key, msg))
  values.forEach((v, i) => {
    if (typeof v === 'string') for (const msg of isValidLabelValue(v)) errs.push(fieldError.invalid(index(`${path}.values`, i), v, msg))
  })
  return errs
}

/** `labels.Selector.Empty()` of `LabelSelectorAsSelector`: no requirement at all (matches everything). */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0
}

/** Whether `labels` satisfy every requirement of `selector` (`LabelSelectorAsSelector(…).Matches`). */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {}
  const has = (k: string) => Object.prototype.hasOwnProperty.call(l, k)
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (!has(k) || l[k] !== v) return false
  for (const req of selector.matchExpressions ?? []) {
    const values = req.values ?? []
    switch (req.operator) {
      case 'In':
        if (!has(req.key) || !values.includes(l[req.key])) return false
        break
      case 'NotIn':
        if (has(req.key) && values.includes(l[req.key])) return false
        break
      case 'Exists':
        if (!has(req.key)) return false
        break
      case 'DoesNotExist':
        if (has(req.key)) return false
        break
      default:
        return false
    }
  }
  return true
}

/* ------------------------------------------------------------------------------------------------
 * ReplicaSets.
 * ---------------------------------------------------------------------------------------------- */

/** Rules first, then any schema error on a field the rules did not already report. */
export function validateReplicaSet(rs: ReplicaSet): StatusCause[] {
  return mergeCauses(validateReplicaSetRules(rs), validateReplicaSetSchema(rs))
}

/** `ValidateReplicaSet`: metadata (namespaced, DNS-1123 subdomain name) and spec. */
export function validateReplicaSetRules(rs: ReplicaSet): FieldCause[] {
  const r: Obj = isObj(rs) ? (rs as unknown as Obj) : {}
  const errs = validateObjectMeta(r.metadata, { namespaced: true, nameFn: validateReplicaSetName })
  errs.push(...validateReplicaSetSpec(isObj(r.spec) ? r.spec : {}, 'spec'))
  return errs
}

/** `ValidateReplicaSetSpec`. */
export function validateReplicaSetSpec(spec: Obj, path: string): FieldCause[] {
  const errs = [...validateNonnegative(spec.replicas, `${path}.replicas`), ...validateNonnegative(spec.minReadySeconds, `${path}.minReadySeconds`)]
  const selector = spec.selector
  let selectorOk = true
  if (absent(selector)) {
    errs.push(fieldError.required(`${path}.selector`))
  } else if (isObj(selector)) {
    const selectorErrs = validateLabelSelector(selector, `${path}.selector`)
    errs.push(...selectorErrs)
    if (isEmptySelector(selector as LabelSelector)) errs.push(fieldError.invalid(`${path}.selector`, selector, 'empty selector is invalid for deployment'))
    // `LabelSelectorAsSelector` refuses what the validation above refused.
    if (selectorErrs.length > 0) {
      errs.push(fieldError.invalid(`${path}.selector`, selector, 'invalid label selector'))
      selectorOk = false
    }
  } else {
    selectorOk = false // the schema reports the type
  }
  if (selectorOk) errs.push(...validateTemplateForReplicaSet(spec.template, isObj(selector) ? (selector as LabelSelector) : undefined, `${path}.template`))
  return errs
}

/**
 * `ValidatePodTemplateSpecForReplicaSet`. `selector` undefined is a missing one: as
 * `LabelSelectorAsSelector(nil)` it matches nothing, so the template's labels are reported too.
 */
export function validateTemplateForReplicaSet(template: unknown, selector: LabelSelector | undefined, path: string): FieldCause[] {
  const t: Obj = isObj(template) ? template : {}
  const meta: Obj = isObj(t.metadata) ? t.metadata : {}
  const spec: Obj = isObj(t.spec) ? t.spec : {}
  const errs: FieldCause[] = []
  const labels = isObj(meta.labels) ? (meta.labels as Record<string, string>) : undefined
  if (!selector || !isEmptySelector(selector)) {
    if (!selector || !selectorMatches(selector, labels)) {
      errs.push(fieldError.invalid(`${path}.metadata.labels`, labels ?? null, '`selector` does not match template `labels`'))
    }
  }
  // `ValidatePodTemplateSpec`: Kubernetes names these `template.labels`, without `metadata`.
  errs.push(...validateLabels(meta.labels, `${path}.labels`))
  errs.push(...validateAnnotations(meta.annotations, `${path}.annotations`))
  for (const c of validatePodSpec(spec, `${path}.spec`)) {
    // A template never allows them; the pod rule's create-time wording does not apply.
    if (c.field !== `${path}.spec.ephemeralContainers`) errs.push(c)
  }
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0) {
    errs.push(fieldError.forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'))
  }
  if (spec.restartPolicy !== 'Always') errs.push(fieldError.notSupported(`${path}.spec.restartPolicy`, spec.restartPolicy ?? '', ['Always']))
  if (!absent(spec.activeDeadlineSeconds)) {
    errs.push(fieldError.forbidden(`${path}.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in ReplicaSet is not Supported'))
  }
  return errs
}

/** The apps/v1 strategy's `ValidateUpdate`: the selector may not change once set. */
export function validateReplicaSetUpdate(next: ReplicaSet, prev: ReplicaSet): FieldCause[] {
  const a = next.spec?.selector
  const b = prev.spec?.selector
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b)) ? [] : [fieldError.invalid('spec.selector', a ?? null, 'field is immutable')]
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (!isObj(v)) return v
  return Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => [k, sortKeys(v[k])]))
}

/** `ValidateReplicaSetStatus`: counters non-negative and consistent with one another. */
export function validateReplicaSetStatus(status: ReplicaSetStatus, path = 'status'): FieldCause[] {
  const s = status as unknown as Obj
  const errs: FieldCause[] = []
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) {
    errs.push(...validateNonnegative(s[f], `${path}.${f}`))
  }
  const n = (f: string) => (typeof s[f] === 'number' ? (s[f] as number) : 0)
  const msg = 'cannot be greater than status.replicas'
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) {
    if (n(f) > n('replicas')) errs.push(fieldError.invalid(`${path}.${f}`, n(f), msg))
  }
  if (n('availableReplicas') > n('readyReplicas')) errs.push(fieldError.invalid(`${path}.availableReplicas`, n('availableReplicas'), 'cannot be greater than readyReplicas'))
  return errs
}

const replicaSetSchema = ReplicaSetModel.prototype.validate as (this: unknown) => void

/** The OpenAPI schema check alone; kind and apiVersion are the admission's business. */
export function validateReplicaSetSchema(rs: ReplicaSet): FieldCause[] {
  return runSchema(replicaSetSchema, { ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' })
}
