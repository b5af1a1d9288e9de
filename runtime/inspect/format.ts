/**
 * How the CLI prints inspection: state values on one line, follow lines, the actor table. Pure
 * (the caller passes `now`), so tests pin the exact text.
 */
import type { InspectedActor, InspectionMessage, StateValueData } from '../../events/inspect.js'
import { humanDuration } from '../cli/print/age.js'

/** `ready`; `{ health: 'ready', taint: { tainted: 'unreachable' } }` → `health.ready, taint.tainted.unreachable`. */
export function formatValue(v: StateValueData | undefined): string {
  if (v === undefined || v === null) return '<none>'
  if (typeof v === 'string') return v || '<none>'
  const leaf = (x: StateValueData): string[] =>
    typeof x === 'string' ? [x] : Object.entries(x).flatMap(([k, sub]) => (sub && (typeof sub === 'string' || Object.keys(sub).length) ? leaf(sub).map((l) => `${k}.${l}`) : [k]))
  return leaf(v).join(', ') || '<none>'
}

/** `HH:MM:SS.mmm` in local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
}

/**
 * Turns a stream of inspection messages into `kstate inspect -f` lines: one per transition
 * (`HH:MM:SS.mmm from → to on EVENT (source)`), the event's source remembered from its `event`
 * message. With `all`, also events that changed nothing and actions. `withId` prefixes the actor
 * (following several).
 */
export function followFormatter(opts: { all?: boolean; withId?: boolean } = {}): (m: InspectionMessage) => string | undefined {
  const sources = new Map<string, string | undefined>()
  return (m) => {
    const who = opts.withId ? `${m.id} ` : ''
    const t = clockTime(m.at)
    switch (m.kind) {
      case 'created':
        return `${t} ${who}created (${m.machine} in ${m.process}) in ${formatValue(m.value)}`
      case 'stopped':
        sources.delete(m.id)
        return `${t} ${who}stopped`
      case 'event':
        sources.set(m.id, m.source)
        return opts.all ? `${t} ${who}event ${m.event}${m.source ? ` (${m.source})` : ''}` : undefined
      case 'action':
        return opts.all ? `${t} ${who}action ${m.action}` : undefined
      case 'snapshot': {
        const from = formatValue(m.from ?? m.value)
        const to = formatValue(m.value)
        if (from === to && m.status === 'active' && !opts.all) return undefined
        const source = m.source ?? sources.get(m.id)
        const status = m.status !== 'active' ? ` [${m.status}]` : ''
        return `${t} ${who}${from} → ${to} on ${m.event}${source ? ` (${source})` : ''}${status}`
      }
    }
  }
}

export const ACTOR_HEADERS = ['ACTOR', 'MACHINE', 'PROCESS', 'STATE', 'LAST-EVENT', 'AGE']

/** One row of `kstate inspect`; AGE is since the actor was created. */
export function actorRow(a: InspectedActor, now: number): string[] {
  return [a.id, a.machine, a.process, formatValue(a.value), a.lastEvent ?? '<none>', humanDuration(now - a.since)]
}
