import { decodeEvent, encodeEvent, type LogEvent } from '../events/index.js'
import { reducePod } from '../runtime/projections/reduce.js'
import { lifecycleHistory } from './_log.js'
const evs: LogEvent[] = []
for (const [, e] of lifecycleHistory({ pods: 20000, nodes: 10 })) evs.push(decodeEvent(encodeEvent(e)))
const pods = evs.filter((e) => e.type.startsWith('Pod'))
const byType = new Map<string, LogEvent[]>()
for (const e of pods) byType.set(e.type, [...(byType.get(e.type) ?? []), e])
const created = reducePod(undefined, byType.get('PodCreated')![0] as never, 1)!
for (let r = 0; r < 3; r++) for (const [t, list] of byType) {
  const t0 = performance.now()
  for (const e of list) reducePod(created, e as never, 5)
  console.log(t, ((performance.now() - t0) * 1000 / list.length).toFixed(2), 'µs')
}
