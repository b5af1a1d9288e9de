import type { LogEvent, Recorded } from '../../events/index.js'

/**
 * The history with one scheduling decision altered: the first PodBound after the cluster settled
 * in names another node of the cluster. Returns the revision changed.
 */
export function bindElsewhere(history: Recorded<LogEvent>[]): { history: Recorded<LogEvent>[]; rev: number } {
  const nodes = history.filter((r) => r.event.type === 'NodeRegistered').map((r) => r.subject.split('.').pop()!)
  const i = history.findIndex((r, k) => r.event.type === 'PodBound' && k > history.length / 4)
  if (i < 0 || nodes.length < 2) throw new Error('no PodBound to alter')
  const bound = history[i].event as Extract<LogEvent, { type: 'PodBound' }>
  const other = nodes[(nodes.indexOf(bound.data.nodeName) + 1) % nodes.length]
  const altered = history.slice()
  altered[i] = { ...history[i], event: { ...bound, data: { nodeName: other } } }
  return { history: altered, rev: history[i].rev }
}
