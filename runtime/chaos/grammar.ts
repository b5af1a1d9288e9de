import type { FaultScope, FaultSpec } from '../../events/index.js'
import { parseDuration } from '../cli/duration.js'
import { ChaosError, ChaosErrorCode } from './errors.js'

/**
 * The words of a fault, as `kstate chaos …` takes them and scenario files write them:
 *
 *   kill node NAME [--restart-after D]        kill control-plane [--restart-after D]
 *   restart nats [--down D]                   partition A,B --from C [--one-way]
 *   delay SUBJECT 200ms[±50ms]                drop SUBJECT 10%
 *   duplicate SUBJECT 10%                     reorder SUBJECT [100ms]
 *   pause ACTOR                               skew-clock NODE +30s
 *
 * Bus faults take `--process P` or `--actor A`; every fault takes `--for D` (it clears itself).
 */
export interface ParsedFault {
  fault: FaultSpec
  forMs?: number
}

const bad = (msg: string) => new ChaosError(ChaosErrorCode.BadFault, msg)

/** Splits a one-line fault into words (scenario files), honouring simple quotes. */
export function faultWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3])
}

function takeFlags(words: string[], known: Record<string, 'value' | 'bool'>): { args: string[]; flags: Record<string, string | true> } {
  const args: string[] = []
  const flags: Record<string, string | true> = {}
  for (let i = 0; i < words.length; i++) {
    const w = words[i]
    if (!w.startsWith('--')) {
      args.push(w)
      continue
    }
    const [name, inline] = w.slice(2).split('=', 2)
    const kind = known[name]
    if (!kind) throw bad(`unknown flag --${name}`)
    if (kind === 'bool') flags[name] = true
    else {
      const v = inline ?? words[++i]
      if (v === undefined) throw bad(`--${name} needs a value`)
      flags[name] = v
    }
  }
  return { args, flags }
}

function duration(raw: string, what: string): number {
  try {
    return parseDuration(raw)
  } catch {
    throw bad(`${what}: invalid duration "${raw}" (examples: 500ms, 5s, 1m)`)
  }
}

function percent(raw: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(raw ?? '')
  const p = m ? Number(m[1]) / 100 : NaN
  if (!(p >= 0 && p <= 1)) throw bad(`expected a percentage between 0% and 100%, got "${raw ?? ''}"`)
  return p
}

const list = (raw: string | undefined, what: string): string[] => {
  const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  if (names.length === 0) throw bad(`${what}: expected process names separated by commas (control-plane, node names)`)
  return names
}

function scope(flags: Record<string, string | true>): FaultScope | undefined {
  const s: FaultScope = {}
  if (typeof flags.process === 'string') s.process = flags.process
  if (typeof flags.actor === 'string') s.actor = flags.actor
  return s.process === undefined && s.actor === undefined ? undefined : s
}

function expectArgs(args: string[], n: number, usage: string): void {
  if (args.length !== n) throw bad(`usage: ${usage}`)
}

export function parseFault(words: string[]): ParsedFault {
  const { args, flags } = takeFlags(words, { for: 'value', 'restart-after': 'value', down: 'value', from: 'value', 'one-way': 'bool', process: 'value', actor: 'value' })
  const forMs = typeof flags.for === 'string' ? duration(flags.for, '--for') : undefined
  const out = (fault: FaultSpec): ParsedFault => (forMs === undefined ? { fault } : { fault, forMs })
  const restartAfterMs = typeof flags['restart-after'] === 'string' ? duration(flags['restart-after'], '--restart-after') : undefined
  const [verb, ...rest] = args
  switch (verb) {
    case 'kill':
      if (rest[0] === 'node') {
        expectArgs(rest, 2, 'kill node NAME [--restart-after D]')
        return out({ kind: 'kill-node', node: rest[1], ...(restartAfterMs !== undefined ? { restartAfterMs } : {}) })
      }
      if (rest[0] === 'control-plane') {
        expectArgs(rest, 1, 'kill control-plane [--restart-after D]')
        return out({ kind: 'kill-control-plane', ...(restartAfterMs !== undefined ? { restartAfterMs } : {}) })
      }
      throw bad('usage: kill node NAME | kill control-plane')
    case 'restart':
      if (rest[0] !== 'nats' || rest.length !== 1) throw bad('usage: restart nats [--down D]')
      return out({ kind: 'restart-nats', downMs: typeof flags.down === 'string' ? duration(flags.down, '--down') : 1_000 })
    case 'partition':
      expectArgs(rest, 1, 'partition A,B --from C [--one-way]')
      return out({ kind: 'partition', a: list(rest[0], 'partition'), from: list(flags.from as string | undefined, '--from'), oneWay: flags['one-way'] === true })
    case 'delay': {
      expectArgs(rest, 2, 'delay SUBJECT 200ms[±50ms]')
      const [base, jitter] = rest[1].split(/±|\+-/)
      const s = scope(flags)
      return out({ kind: 'delay', subject: rest[0], ms: duration(base, 'delay'), jitterMs: jitter ? duration(jitter, 'jitter') : 0, ...(s ? { scope: s } : {}) })
    }
    case 'drop':
    case 'duplicate': {
      expectArgs(rest, 2, `${verb} SUBJECT 10%`)
      const s = scope(flags)
      return out({ kind: verb, subject: rest[0], probability: percent(rest[1]), ...(s ? { scope: s } : {}) })
    }
    case 'reorder': {
      if (rest.length < 1 || rest.length > 2) throw bad('usage: reorder SUBJECT [WINDOW]')
      const s = scope(flags)
      return out({ kind: 'reorder', subject: rest[0], windowMs: rest[1] ? duration(rest[1], 'reorder window') : 100, ...(s ? { scope: s } : {}) })
    }
    case 'pause':
      expectArgs(rest, 1, 'pause ACTOR')
      return out({ kind: 'pause', actor: rest[0] })
    case 'skew-clock': {
      expectArgs(rest, 2, 'skew-clock NODE +30s')
      const m = /^([+-]?)(.+)$/.exec(rest[1])!
      return out({ kind: 'skew-clock', node: rest[0], offsetMs: (m[1] === '-' ? -1 : 1) * duration(m[2], 'skew') })
    }
    default:
      throw bad(`unknown fault "${verb ?? ''}" (kill, restart, partition, delay, drop, duplicate, reorder, pause, skew-clock)`)
  }
}

/** A fault in the words that inject it: `kstate chaos ls` shows this. */
export function describeFault(f: FaultSpec): string {
  const sc = (s?: FaultScope) => (s?.process ? ` --process ${s.process}` : '') + (s?.actor ? ` --actor ${s.actor}` : '')
  const ms = (n: number) => (n % 1000 === 0 ? `${n / 1000}s` : `${n}ms`)
  switch (f.kind) {
    case 'kill-node':
      return `kill node ${f.node}` + (f.restartAfterMs !== undefined ? ` --restart-after ${ms(f.restartAfterMs)}` : '')
    case 'kill-control-plane':
      return 'kill control-plane' + (f.restartAfterMs !== undefined ? ` --restart-after ${ms(f.restartAfterMs)}` : '')
    case 'restart-nats':
      return `restart nats --down ${ms(f.downMs)}`
    case 'partition':
      return `partition ${f.a.join(',')} --from ${f.from.join(',')}${f.oneWay ? ' --one-way' : ''}`
    case 'delay':
      return `delay ${f.subject} ${ms(f.ms)}${f.jitterMs ? `±${ms(f.jitterMs)}` : ''}${sc(f.scope)}`
    case 'drop':
    case 'duplicate':
      return `${f.kind} ${f.subject} ${+(f.probability * 100).toFixed(2)}%${sc(f.scope)}`
    case 'reorder':
      return `reorder ${f.subject} ${ms(f.windowMs)}${sc(f.scope)}`
    case 'pause':
      return `pause ${f.actor}`
    case 'skew-clock':
      return `skew-clock ${f.node} ${f.offsetMs >= 0 ? '+' : '-'}${ms(Math.abs(f.offsetMs))}`
  }
}
