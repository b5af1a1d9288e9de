/** JSON merge patch (RFC 7386): what `kubectl patch --type merge` sends. Lists are replaced whole; strategic merge patches are in strategic-merge-patch.ts. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch
  const base: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {}
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (k.startsWith('$')) continue // strategic-merge directives mean nothing in a merge patch
    if (v === null) delete base[k]
    else base[k] = mergePatch(base[k], v)
  }
  return base
}
