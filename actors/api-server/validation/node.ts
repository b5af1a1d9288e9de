/**
 * Node validation after Kubernetes' `ValidateNode`, cut down: name, taints, resource quantities,
 * plus the OpenAPI schema check. Nodes are cluster-scoped: a namespace is forbidden.
 */
import type { Node } from 'kubernetes-types/core/v1.js'
import type { StatusCause } from 'kubernetes-types/meta/v1.js'
import { Node as NodeModel } from 'kubernetes-models/v1/Node'
import { fieldError, index, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain, validateObjectMeta, type FieldCause } from './names.js'
import { mergeCauses, runSchema, validateQuantityValue, validateTaintEffect } from './pod.js'

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)

export function validateNode(node: Node): StatusCause[] {
  return mergeCauses(validateNodeRules(node), validateNodeSchema(node))
}

export function validateNodeRules(node: Node): FieldCause[] {
  const n: Obj = isObj(node) ? (node as Obj) : {}
  const errs = validateObjectMeta(n.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain })
  const spec: Obj = isObj(n.spec) ? n.spec : {}
  if (Array.isArray(spec.taints)) errs.push(...validateNodeTaints(spec.taints, 'spec.taints'))
  const status: Obj = isObj(n.status) ? n.status : {}
  for (const list of ['capacity', 'allocatable'] as const) {
    const resources = status[list]
    if (!isObj(resources)) continue
    // Kubernetes names these `status.capacity.cpu` (a child, not a `[key]`).
    for (const [name, value] of Object.entries(resources)) validateQuantityValue(value, `status.${list}.${name}`, errs)
  }
  return errs
}

/** `validateNodeTaints`: key, value, effect (required), unique by key and effect. */
export function validateNodeTaints(taints: unknown[], path: string): FieldCause[] {
  const errs: FieldCause[] = []
  const seen = new Set<string>()
  taints.forEach((t, i) => {
    if (!isObj(t)) return
    const p = index(path, i)
    const key = typeof t.key === 'string' ? t.key : ''
    const value = typeof t.value === 'string' ? t.value : ''
    if (typeof t.key === 'string' || t.key === undefined) for (const msg of isQualifiedName(key)) errs.push(fieldError.invalid(`${p}.key`, key, msg))
    const msgs = isValidLabelValue(value)
    if (msgs.length) errs.push(fieldError.invalid(`${p}.value`, value, msgs.join(';')))
    errs.push(...validateTaintEffect(t.effect, false, `${p}.effect`))
    const id = `${String(t.effect)}\u0000${key}`
    if (seen.has(id)) {
      const dup = fieldError.duplicate(p, t)
      errs.push({ ...dup, message: `${dup.message}: taints must be unique by key and effect pair` })
    }
    seen.add(id)
  })
  return errs
}

const nodeSchema = NodeModel.prototype.validate as (this: unknown) => void

export function validateNodeSchema(node: Node): FieldCause[] {
  return runSchema(nodeSchema, { ...node, apiVersion: 'v1', kind: 'Node' })
}
