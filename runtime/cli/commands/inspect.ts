import { createInterface } from 'node:readline'
import { stringify } from 'yaml'
import { actorMatches, formatInspectionMode, parseInspectionMode, type ActorList, type InspectionActorReply, type InspectionMessage, type InspectionSetReply } from '../../../events/inspect.js'
import { ACTOR_HEADERS, actorRow, followFormatter, formatValue } from '../../inspect/format.js'
import { call, callJson, StatusError } from '../http.js'
import { formatTable } from '../print/table.js'
import { humanDuration } from '../print/age.js'
import { clientConfig, type ClientOptions } from './client.js'

export interface InspectOptions extends ClientOptions {
  follow: boolean
  all: boolean
  diagram?: string
  output?: string
  mode?: string
}

const actorPath = (id: string) => `/kstate/v1/actors/${encodeURIComponent(id)}`
const isNotFound = (e: unknown) => e instanceof StatusError && e.status.code === 404

/**
 * `kstate inspect [ACTOR]`: the statecharts of every process, through the gateway. Without ACTOR
 * the table of actors; with it its state and context (`-f` follows its transitions, `--diagram`
 * draws its machine). An ACTOR that is no actor's id lists the actors under it (`kubelet/n1`).
 */
export async function inspectCommand(actor: string | undefined, o: InspectOptions): Promise<void> {
  const cfg = clientConfig(o)
  if (o.mode !== undefined) {
    const mode = parseInspectionMode(o.mode)
    const body = { mode: formatInspectionMode(mode), ...(actor ? { prefix: actor } : {}) }
    const r = await callJson<{ items: InspectionSetReply[] }>(cfg, 'POST', '/kstate/v1/inspect/mode', body)
    const changed = r.items.flatMap((i) => i.changed)
    process.stdout.write(`inspection ${formatInspectionMode(mode)}: ${changed.length} actor${changed.length === 1 ? '' : 's'} changed in ${r.items.length} process${r.items.length === 1 ? '' : 'es'}\n`)
    return
  }
  if (o.follow) return follow(cfg, actor, o)
  if (o.diagram !== undefined) {
    if (!actor) throw new Error('--diagram needs an ACTOR (kstate inspect lists them)')
    const res = await call(cfg, 'GET', `${actorPath(actor)}/diagram?format=${encodeURIComponent(o.diagram)}`)
    if ((res.statusCode ?? 0) >= 300) {
      res.resume()
      await callJson(cfg, 'GET', `${actorPath(actor)}/diagram?format=${encodeURIComponent(o.diagram)}`)
      return
    }
    res.pipe(process.stdout)
    await new Promise<void>((r) => res.on('end', () => r()))
    return
  }
  if (actor) {
    try {
      const a = await callJson<InspectionActorReply>(cfg, 'GET', actorPath(actor))
      return printActor(a, o.output)
    } catch (e) {
      if (!isNotFound(e)) throw e
      const list = await callJson<ActorList>(cfg, 'GET', '/kstate/v1/actors')
      const under = list.items.filter((a) => actorMatches(a.id, actor))
      if (under.length === 0) throw e
      return printList({ ...list, items: under }, o.output)
    }
  }
  printList(await callJson<ActorList>(cfg, 'GET', '/kstate/v1/actors'), o.output)
}

function printList(list: ActorList, output?: string): void {
  if (output === 'json') return void process.stdout.write(JSON.stringify(list, null, 2) + '\n')
  if (output === 'yaml') return void process.stdout.write(stringify(list))
  if (list.items.length === 0) return void process.stderr.write('No actors found\n')
  const now = Date.now()
  process.stdout.write(formatTable(ACTOR_HEADERS, list.items.map((a) => actorRow(a, now))) + '\n')
}

function printActor(a: InspectionActorReply, output?: string): void {
  if (output === 'json') return void process.stdout.write(JSON.stringify(a, null, 2) + '\n')
  if (output === 'yaml') return void process.stdout.write(stringify(a))
  const now = Date.now()
  const lines = [
    `Actor:      ${a.id}`,
    `Machine:    ${a.machine}`,
    `Process:    ${a.process} (pid ${a.pid})`,
    ...(a.parent ? [`Parent:     ${a.parent}`] : []),
    `State:      ${formatValue(a.value)}${a.status && a.status !== 'active' ? ` [${a.status}]` : ''}`,
    `Last event: ${a.lastEvent ?? '<none>'}${a.lastAt !== undefined ? ` (${humanDuration(now - a.lastAt)} ago)` : ''}`,
    `Age:        ${humanDuration(now - a.since)}`,
    `Inspection: ${a.mode}${a.every ? `:${a.every}` : ''}`,
  ]
  if (a.delays) lines.push(`Delays:     ${Object.entries(a.delays).map(([k, v]) => `${k}=${v}ms`).join(' ')}`)
  lines.push(`Context:${a.contextTruncated ? ' (truncated)' : ''}`)
  const yaml = stringify(a.context ?? {}, { lineWidth: 0 }).trimEnd()
  lines.push(...yaml.split('\n').map((l) => `  ${l}`))
  process.stdout.write(lines.join('\n') + '\n')
}

/** `-f`: the current state first, then one line per transition until interrupted. */
async function follow(cfg: ReturnType<typeof clientConfig>, actor: string | undefined, o: InspectOptions): Promise<void> {
  let exact = false
  if (actor) {
    // The list (not a get, which waits out its timeout for an id no process has) says whether ACTOR is one actor.
    const list = await callJson<ActorList>(cfg, 'GET', '/kstate/v1/actors')
    const a = list.items.find((x) => x.id === actor)
    exact = a !== undefined
    if (a && o.output !== 'json') process.stdout.write(`# ${a.id} (${a.machine} in ${a.process}): ${formatValue(a.value)}\n`)
  }
  const path = `/kstate/v1/inspect?watch=1${actor ? `&actor=${encodeURIComponent(actor)}` : ''}`
  const res = await call(cfg, 'GET', path)
  if ((res.statusCode ?? 0) >= 300) {
    res.resume()
    await callJson(cfg, 'GET', path)
    return
  }
  // Following one actor: only its own lines (children have their own ids); a prefix: every actor under it.
  const format = followFormatter({ all: o.all, withId: !exact })
  for await (const line of createInterface({ input: res })) {
    if (!line.trim()) continue
    const m = JSON.parse(line) as InspectionMessage
    if (exact && m.id !== actor) continue
    if (o.output === 'json') {
      process.stdout.write(line + '\n')
      continue
    }
    const text = format(m)
    if (text !== undefined) process.stdout.write(text + '\n')
  }
}
