import { formatChange, type ClusterDiff } from '../../replay/diff.js'
import { callJson } from '../http.js'
import { clientConfig, type ClientOptions } from './client.js'
import { resolvePoint } from './get.js'

/** The diff as people read it: `+` added, `~` changed with one field path a line, `-` removed. */
export function formatDiff(d: ClusterDiff): string {
  const lines: string[] = []
  const rows = [
    ...d.added.map((a) => ({ object: a.object, text: [`+ ${a.object}`] })),
    ...d.changed.map((c) => ({ object: c.object, text: [`~ ${c.object}${c.fromRev && c.toRev ? ` (resourceVersion ${c.fromRev} → ${c.toRev})` : ''}`, ...c.changes.map((x) => `    ${formatChange(x)}`)] })),
    ...d.removed.map((r) => ({ object: r.object, text: [`- ${r.object}`] })),
  ].sort((a, b) => a.object.localeCompare(b.object))
  for (const r of rows) lines.push(...r.text)
  lines.push(`${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed between revisions ${d.from} and ${d.to}`)
  return lines.join('\n') + '\n'
}

/** `kstate diff --from REV --to REV`: computed by the API (one pass over the log), printed here. */
export async function diffCommand(o: ClientOptions & { from: string; to?: string; output?: string }): Promise<void> {
  const cfg = clientConfig(o)
  const from = await resolvePoint(cfg, o.from)
  const to = o.to !== undefined ? await resolvePoint(cfg, o.to) : undefined
  const q = new URLSearchParams({ from: String(from.rev), ...(to ? { to: String(to.rev) } : {}) })
  const d = await callJson<ClusterDiff>(cfg, 'GET', `/kstate/v1/diff?${q}`)
  process.stdout.write(o.output === 'json' ? JSON.stringify(d, null, 2) + '\n' : formatDiff(d))
}
