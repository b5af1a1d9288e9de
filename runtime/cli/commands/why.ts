import { objectKey } from '../../../events/subjects.js'
import { parseObjectArg } from '../../replay/object-ref.js'
import type { WhyAnswer } from '../../replay/why.js'
import { callJson } from '../http.js'
import { humanDuration } from '../print/age.js'
import { formatTable } from '../print/table.js'
import { clientConfig, type ClientOptions } from './client.js'
import { resolvePoint } from './get.js'

/** The chain as a table, oldest first; the object's own events are marked `*`. */
export function formatWhy(w: WhyAnswer, now: number): string {
  const rows = w.steps.map((s) => [
    `${s.role === 'object' ? '*' : ' '}${s.rev}`,
    humanDuration(now - s.at),
    s.by,
    s.type,
    s.object,
    s.reason + (s.folded ? ` (and ${s.folded} more the same)` : ''),
    s.cause === undefined ? '<none>' : String(s.cause),
  ])
  const head = `${w.object}${w.exists ? '' : ' (deleted)'} at revision ${w.rev}: ${w.steps.length} events, * = the object's own`
  return `${head}\n${formatTable([' REV', 'AGE', 'BY', 'EVENT', 'OBJECT', 'WHAT', 'CAUSE'], rows)}\n`
}

/** `kstate why pod/NAME`: the causal chain behind the object's state, following `cause` back to a user's request. */
export async function whyCommand(arg: string, o: ClientOptions & { at?: string; output?: string }): Promise<void> {
  const cfg = clientConfig(o)
  const ref = parseObjectArg(arg, cfg.namespace)
  const point = o.at !== undefined ? await resolvePoint(cfg, o.at) : undefined
  const q = new URLSearchParams({ object: objectKey(ref), ...(point ? { rev: String(point.rev) } : {}) })
  const w = await callJson<WhyAnswer>(cfg, 'GET', `/kstate/v1/why?${q}`)
  process.stdout.write(o.output === 'json' ? JSON.stringify(w, null, 2) + '\n' : formatWhy(w, Date.now()))
}
