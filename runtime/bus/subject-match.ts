/**
 * NATS subject wildcards, as the server matches them: `*` is one token, `>` one or more trailing
 * tokens. Fault rules name traffic this way (`kstate.api.>`, `$KV.kstate-node-leases.*`).
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject || pattern === '>') return true
  const p = pattern.split('.')
  const s = subject.split('.')
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i
    if (i >= s.length) return false
    if (p[i] !== '*' && p[i] !== s[i]) return false
  }
  return p.length === s.length
}
