import type { Pod } from 'kubernetes-types/core/v1.js'
import { logSubject, type LogEvent, type Recorded } from '../../../events/index.js'

/** Hand-made log histories for the invariant tests. */
export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
export const podSubject = (name: string) => logSubject('pods', 'default', name)

export function pod(name: string, uid: string, extra: Partial<Pod> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Pending' }, ...extra }
}

/** Numbers records from 1 in order; `at` advances a second per record. */
export function history(events: { subject: string; type: LogEvent['type']; data: unknown; by?: string }[]): Recorded<LogEvent>[] {
  return events.map((e, i) => ({ rev: i + 1, subject: e.subject, event: { type: e.type, v: 1, at: T0 + i * 1000, by: e.by ?? 'test', data: e.data } as LogEvent }))
}
