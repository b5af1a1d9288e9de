import type { NodeLifecycleFlags } from '../../../actors/controllers/node-lifecycle/controller.js'
import { objectKey, parseLogSubject } from '../../../events/index.js'
import type { DecisionView, Divergence, VerifyResult } from './verifier.js'

const MAX_VALUE = 160

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s
}

function objectOf(subject: string): string {
  const ref = parseLogSubject(subject)
  return ref ? objectKey(ref) : subject
}

/** The gist of a decision's data, as one would say it: `→ node-2`, `Ready=Unknown (NodeStatusUnknown)`. */
function gist(d: DecisionView): string {
  const data = d.data as Record<string, unknown>
  switch (d.type) {
    case 'PodBound':
      return `→ ${data.nodeName}`
    case 'NodeTainted':
    case 'NodeUntainted': {
      const t = (d.type === 'NodeTainted' ? data.taint : data) as { key?: string; effect?: string }
      return `${t.key}:${t.effect}`
    }
    case 'PodCreated': {
      const meta = (data.object as { metadata?: { name?: string; generateName?: string; ownerReferences?: { kind?: string; name?: string }[] } })?.metadata
      const owner = meta?.ownerReferences?.[0]
      return owner ? `of ${owner.kind} ${owner.name}` : ''
    }
    case 'PodEvicted':
    case 'PodDeletionRequested':
      return `deletionTimestamp ${data.deletionTimestamp}`
    case 'NodeConditionChanged': {
      const ready = (data.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready')
      return `Ready=${ready?.status} (${data.reason})`
    }
    default:
      return short(data)
  }
}

export function describeDecision(d: DecisionView): string {
  const rev = d.rev !== undefined ? `rev ${d.rev} ` : ''
  return `${rev}${d.type} ${objectOf(d.subject)} ${gist(d)}  (at ${new Date(d.at).toISOString()}${d.cause ? `, cause ${d.cause}` : ''})`
}

const WHAT: Record<Divergence['kind'], string> = {
  different: 'the controller made a different decision',
  missing: 'the controller did not make the recorded decision',
  unexpected: 'the controller made a decision the log does not record',
}

/** The divergence as the CLI prints it: revision, actor, expected vs produced, the differing fields. */
export function formatDivergence(d: Divergence): string {
  const lines = [`divergence at revision ${d.rev} (${d.actor}): ${WHAT[d.kind]}`]
  lines.push(`  expected: ${d.expected ? describeDecision(d.expected) : d.kind === 'unexpected' ? 'no such decision in the log' : '—'}`)
  lines.push(`  produced: ${d.produced ? describeDecision(d.produced) : 'nothing'}`)
  for (const m of d.mismatches.slice(0, 10)) lines.push(`  ${m.path}: expected ${short(m.expected)}, produced ${short(m.produced)}`)
  if (d.mismatches.length > 10) lines.push(`  … ${d.mismatches.length - 10} more fields differ`)
  if (d.nextRecorded) lines.push(`  the log's next decision of ${d.actor}: ${describeDecision(d.nextRecorded)}`)
  if (d.unrecorded.length > 0) {
    lines.push('  made before it, not in the log:')
    for (const u of d.unrecorded) lines.push(`    ${describeDecision(u)}`)
  }
  return lines.join('\n')
}

const seconds = (ms: number) => `${ms / 1000}s`

/** The node lifecycle flags of a run, as the command line takes them: wrong ones are the first suspect of a node-controller divergence. */
export function formatFlags(f: NodeLifecycleFlags): string {
  return [
    `--node-monitor-period ${seconds(f.nodeMonitorPeriodMs)}`,
    `--node-monitor-grace-period ${seconds(f.nodeMonitorGracePeriodMs)}`,
    `--node-startup-grace-period ${seconds(f.nodeStartupGracePeriodMs)}`,
    `--node-eviction-rate ${f.nodeEvictionRate}`,
    `--secondary-node-eviction-rate ${f.secondaryNodeEvictionRate}`,
    `--unhealthy-zone-threshold ${f.unhealthyZoneThreshold}`,
    `--large-cluster-size-threshold ${f.largeClusterSizeThreshold}`,
  ].join(' ')
}

/** The last line of a run (after the divergence, when there is one). */
export function formatResult(r: VerifyResult): string {
  if (r.ok) return `verified ${r.decisions} decisions of ${r.events} events: OK`
  const lines = [formatDivergence(r.divergence!)]
  if (r.divergence!.actor === 'node-controller') lines.push(`  (replayed with ${formatFlags(r.flags)}: the recorded control plane's flags must be given)`)
  lines.push(`verified ${r.decisions} decisions of ${r.events} events before it: DIVERGED`)
  return lines.join('\n')
}
