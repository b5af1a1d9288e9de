import { dirname, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { FaultSpec } from '../../events/index.js'
import { parseDuration } from '../cli/duration.js'
import { ChaosError, ChaosErrorCode } from './errors.js'
import { faultWords, parseFault } from './grammar.js'

/**
 * A scenario file (`kstate chaos run FILE`):
 *
 *   name: node-loss
 *   manifests: [../replicaset.yaml]     # applied first, paths relative to the file
 *   requires: { nodes: 3 }              # Ready nodes needed before it starts
 *   writes: { rate: 10 }                # a steady stream of Pod creations (per second) through the API
 *   timeline:
 *     - at: 2s                          # after the manifests have converged
 *       fault: kill node node-2         # `kstate chaos` words
 *       for: 6s                         # cleared after this long (default: at the end of the timeline)
 *   convergeWithin: 30s                 # every ReplicaSet converges within this after the last fault
 */
export interface TimelineStep {
  atMs: number
  fault: FaultSpec
  forMs?: number
  /** The step as written, for progress lines and the report. */
  words: string
}

export interface Scenario {
  name: string
  description?: string
  /** Absolute paths. */
  manifests: string[]
  requires: { nodes: number }
  writes?: { ratePerSecond: number; namespace: string }
  timeline: TimelineStep[]
  convergeWithinMs: number
}

const bad = (source: string, msg: string) => new ChaosError(ChaosErrorCode.BadFault, `${source}: ${msg}`)

function duration(source: string, v: unknown, what: string): number {
  if (typeof v === 'number') return v * 1000
  if (typeof v !== 'string') throw bad(source, `${what}: expected a duration such as 5s`)
  try {
    return parseDuration(v)
  } catch {
    throw bad(source, `${what}: invalid duration "${v}" (examples: 500ms, 5s, 1m)`)
  }
}

/** Parses a scenario's YAML; `source` is its path (manifest paths are relative to its folder). */
export function parseScenario(text: string, source: string): Scenario {
  const doc = parseYaml(text) as Record<string, unknown> | null
  if (!doc || typeof doc !== 'object') throw bad(source, 'not a YAML mapping')
  const known = new Set(['name', 'description', 'manifests', 'requires', 'writes', 'timeline', 'convergeWithin'])
  for (const k of Object.keys(doc)) if (!known.has(k)) throw bad(source, `unknown field "${k}" (fields: ${[...known].join(', ')})`)
  const dir = dirname(resolve(source))
  const manifests = ((doc.manifests as unknown[] | undefined) ?? []).map((m) => {
    if (typeof m !== 'string') throw bad(source, 'manifests: expected file paths')
    return resolve(dir, m)
  })
  const timelineRaw = doc.timeline
  if (!Array.isArray(timelineRaw) || timelineRaw.length === 0) throw bad(source, 'timeline: expected a list of steps (at, fault, for)')
  const timeline = timelineRaw.map((s: Record<string, unknown>, i): TimelineStep => {
    const where = `timeline[${i}]`
    if (typeof s?.fault !== 'string') throw bad(source, `${where}.fault: expected kstate chaos words, e.g. "kill node node-2"`)
    let parsed
    try {
      parsed = parseFault(faultWords(s.fault))
    } catch (e) {
      throw bad(source, `${where}.fault: ${(e as Error).message}`)
    }
    const forMs = s.for !== undefined ? duration(source, s.for, `${where}.for`) : parsed.forMs
    return { atMs: duration(source, s.at ?? 0, `${where}.at`), fault: parsed.fault, ...(forMs !== undefined ? { forMs } : {}), words: s.fault }
  })
  timeline.sort((a, b) => a.atMs - b.atMs)
  const writes = doc.writes as { rate?: unknown; namespace?: unknown } | undefined
  if (writes !== undefined && !(typeof writes.rate === 'number' && writes.rate > 0)) throw bad(source, 'writes.rate: expected writes per second (> 0)')
  const requires = (doc.requires as { nodes?: unknown } | undefined) ?? {}
  return {
    name: typeof doc.name === 'string' ? doc.name : source,
    ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
    manifests,
    requires: { nodes: typeof requires.nodes === 'number' ? requires.nodes : 1 },
    ...(writes ? { writes: { ratePerSecond: writes.rate as number, namespace: typeof writes.namespace === 'string' ? writes.namespace : 'default' } } : {}),
    timeline,
    convergeWithinMs: doc.convergeWithin !== undefined ? duration(source, doc.convergeWithin, 'convergeWithin') : 60_000,
  }
}
