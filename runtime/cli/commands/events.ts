import { createInterface } from 'node:readline'
import { call, callJson } from '../http.js'
import { eventHeaders, eventJsonLine, eventRow, type EventListing } from '../print/events.js'
import { formatTable } from '../print/table.js'
import { clientConfig, type ClientOptions } from './client.js'

/** `kstate events`: the log itself. Table by default; `-o json` one object a line; `-f` follows. */
export async function eventsCommand(o: ClientOptions & { follow: boolean; since: string; until?: string; output?: string }): Promise<void> {
  const cfg = clientConfig(o)
  const since = Number(o.since)
  if (!Number.isInteger(since) || since < 1) throw new Error(`--since must be a revision (a positive integer), got "${o.since}"`)
  const q = new URLSearchParams({ since: String(since), ...(o.until ? { until: o.until } : {}), ...(o.follow ? { follow: 'true' } : {}) })
  const path = `/kstate/v1/events?${q}`
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
