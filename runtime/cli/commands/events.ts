import { createInterface } from 'node:readline'
import { parseObjectArg } from '../../replay/object-ref.js'
import { objectKey } from '../../../events/subjects.js'
import { call, callJson } from '../http.js'
import { eventHeaders, eventJsonLine, eventRow, type EventListing } from '../print/events.js'
import { formatTable } from '../print/table.js'
import { clientConfig, type ClientOptions } from './client.js'

export interface EventsOptions extends ClientOptions {
  follow: boolean
  since: string
  until?: string
  /** Comma-separated exact event types: `PodEvicted,NodeTainted`. */
  type?: string
  /** `pod/NAME` (namespace from -n), `pod/NAMESPACE/NAME`, `node/NAME`, `rs/NAME`. */
  object?: string
  output?: string
}

/** The query of `/kstate/v1/events`: filters are applied by the server, which reads only the object's subject. */
export function eventsQuery(o: EventsOptions, namespace: string): URLSearchParams {
  const since = Number(o.since)
  if (!Number.isInteger(since) || since < 1) throw new Error(`--since must be a revision (a positive integer), got "${o.since}"`)
  if (o.until !== undefined && (!Number.isInteger(Number(o.until)) || Number(o.until) < 1)) throw new Error(`--until must be a revision (a positive integer), got "${o.until}"`)
  const q = new URLSearchParams({ since: String(since) })
  if (o.until) q.set('until', o.until)
  if (o.follow) q.set('follow', 'true')
  if (o.type) q.set('type', o.type.split(',').map((t) => t.trim()).filter(Boolean).join(','))
  if (o.object) q.set('object', objectKey(parseObjectArg(o.object, namespace)))
  return q
}

/** `kstate events`: the log itself. Table by default; `-o json` one object a line; `-f` follows. */
export async function eventsCommand(o: EventsOptions): Promise<void> {
  const cfg = clientConfig(o)
  const path = `/kstate/v1/events?${eventsQuery(o, cfg.namespace)}`
  const json = o.output === 'json'
  if (!o.follow && !json) {
    const res = await call(cfg, 'GET', path)
    if ((res.statusCode ?? 0) >= 300) return void (await callJson(cfg, 'GET', path))
    const rows: EventListing[] = []
    for await (const line of createInterface({ input: res })) if (line.trim()) rows.push(JSON.parse(line))
    if (rows.length === 0) return void process.stderr.write('No events found\n')
    const now = Date.now()
    process.stdout.write(formatTable(eventHeaders(), rows.map((r) => eventRow(r, now))) + '\n')
    return
  }
  const res = await call(cfg, 'GET', path)
  if ((res.statusCode ?? 0) >= 300) return void (await callJson(cfg, 'GET', path))
  let headerDone = false
  for await (const line of createInterface({ input: res })) {
    if (!line.trim()) continue
    const row = JSON.parse(line) as EventListing
    if (json) process.stdout.write(eventJsonLine(row) + '\n')
    else {
      // Following: no column widths known in advance, so rows are padded to the header's.
      if (!headerDone) process.stdout.write(eventHeaders().map((h) => h.padEnd(14)).join(' ') + '\n')
      headerDone = true
      process.stdout.write(eventRow(row, Date.now()).map((c) => c.padEnd(14)).join(' ') + '\n')
    }
  }
}
