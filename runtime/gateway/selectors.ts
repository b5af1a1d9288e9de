/**
 * Label and field selectors of list requests (`?labelSelector=app=web,tier!=db`), the equality and
 * existence forms of k8s.io/apimachinery/pkg/labels. Set-based `in (…)` forms are refused with a
 * clear error rather than misread.
 */
type Requirement = { key: string; op: '=' | '!=' | 'exists' | '!exists'; value?: string }

export class SelectorError extends Error {
  override readonly name = 'SelectorError'
}

export function parseSelector(raw: string | null): Requirement[] {
  if (!raw) return []
  return raw.split(',').filter(Boolean).map((part) => {
    const p = part.trim()
    if (/\s(in|notin)\s*\(/.test(p)) throw new SelectorError(`set-based selector "${p}" is not supported`)
    let m = /^([^!=]+)!=(.*)$/.exec(p)
    if (m) return { key: m[1].trim(), op: '!=', value: m[2].trim() }
    m = /^([^!=]+)==?(.*)$/.exec(p)
    if (m) return { key: m[1].trim(), op: '=', value: m[2].trim() }
    if (p.startsWith('!')) return { key: p.slice(1).trim(), op: '!exists' }
    if (/^[A-Za-z0-9._/-]+$/.test(p)) return { key: p, op: 'exists' }
    throw new SelectorError(`unable to parse requirement "${p}"`)
  })
}

export function matches(reqs: Requirement[], get: (key: string) => string | undefined): boolean {
  return reqs.every((r) => {
    const v = get(r.key)
    switch (r.op) {
      case '=':
        return v === r.value
      case '!=':
        return v !== r.value
      case 'exists':
        return v !== undefined
      case '!exists':
        return v === undefined
    }
  })
}

/** Fields a field selector may name, as Kubernetes allows for pods and nodes. */
export function fieldOf(obj: { metadata?: { name?: string; namespace?: string }; spec?: { nodeName?: string; unschedulable?: boolean }; status?: { phase?: string } }, key: string): string | undefined {
  switch (key) {
    case 'metadata.name':
      return obj.metadata?.name
    case 'metadata.namespace':
      return obj.metadata?.namespace
    case 'spec.nodeName':
      return obj.spec?.nodeName ?? ''
    case 'spec.unschedulable':
      return String(obj.spec?.unschedulable ?? false)
    case 'status.phase':
      return obj.status?.phase ?? ''
    default:
      throw new SelectorError(`field label not supported: ${key}`)
  }
}
