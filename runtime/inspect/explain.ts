/**
 * `kstate explain pod/NAME`: the scheduler's last decision for a pod, node by node — which filter
 * plugin rejected it and why, or each score plugin's score and the total — and the result.
 * kube-scheduler keeps this only in its logs (kube-scheduler-simulator writes it into
 * annotations); kstate's scheduler machine keeps the last decision per pod in its context.
 * Pure: the gateway builds an `Explanation` from the decision, the CLI prints it.
 */
import type { Decision } from '../../actors/scheduler/scheduler.js'

export type ExplainedNode =
  | { node: string; result: 'rejected'; plugin: string; reasons: string[] }
  | { node: string; result: 'scored'; scores: Record<string, number>; total: number; chosen: boolean }
  /** The search stopped before this node: kube-scheduler's numFeasibleNodesToFind had been found. */
  | { node: string; result: 'not-evaluated' }

export interface Explanation {
  kind: 'SchedulingExplanation'
  pod: { namespace: string; name: string; uid?: string; nodeName?: string; phase?: string }
  /** Absent when the scheduler has no decision for the pod (bound elsewhere, forgotten, never tried). */
  decision?: {
    attempt: number
    /** Revision of the pod version the decision was made on. */
    rev: number
    /** The uid the decision was made for: a different pod of the same name when it differs from `pod.uid`. */
    uid?: string
    outcome: { nodeName: string } | { message: string }
    bindError?: string
    /** Score plugins, in profile order (the columns). */
    plugins: string[]
    nodes: ExplainedNode[]
  }
  /** Why there is no decision. */
  reason?: string
}

/** The explanation of `decision` over `nodeNames` (every node the cluster has now, sorted). */
export function explain(pod: Explanation['pod'], decision: Decision | undefined, nodeNames: readonly string[], historySize?: number): Explanation {
  if (!decision) {
    const reason = pod.nodeName
      ? `no scheduling decision is kept for this pod: it is bound to ${pod.nodeName} and the scheduler ${historySize ? `keeps the last ${historySize} decisions` : 'has forgotten it'} (or the control plane restarted since)`
      : 'the scheduler has made no decision for this pod yet (another schedulerName, or not seen yet)'
    return { kind: 'SchedulingExplanation', pod, reason }
  }
  const chosen = 'nodeName' in decision.outcome ? decision.outcome.nodeName : undefined
  const plugins = Object.keys(decision.scored.byPlugin)
  const byNode = new Map<string, ExplainedNode>()
  for (const g of decision.rejected) for (const n of g.nodes) byNode.set(n, { node: n, result: 'rejected', plugin: g.plugin, reasons: g.reasons })
  decision.scored.nodes.forEach((n, i) => {
    const scores: Record<string, number> = {}
    for (const p of plugins) scores[p] = decision.scored.byPlugin[p][i]
    byNode.set(n, { node: n, result: 'scored', scores, total: decision.scored.total[i], chosen: n === chosen })
  })
  const names = [...new Set([...nodeNames, ...byNode.keys()])].sort()
  const nodes = names.map((n) => byNode.get(n) ?? ({ node: n, result: 'not-evaluated' } as const))
  return {
    kind: 'SchedulingExplanation',
    pod,
    decision: {
      attempt: decision.attempt,
      rev: decision.rev,
      ...(decision.uid ? { uid: decision.uid } : {}),
      outcome: decision.outcome,
      ...(decision.bindError ? { bindError: decision.bindError } : {}),
      plugins,
      nodes,
    },
  }
}

/** Columns padded to their widest cell plus 3, as kubectl's tables; the last never padded. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] + 3))).join('').trimEnd()).join('\n')
}

/** The text `kstate explain` prints. */
export function formatExplanation(e: Explanation): string {
  const { pod } = e
  const lines = [`Pod:      ${pod.namespace}/${pod.name}${pod.uid ? ` (uid ${pod.uid})` : ''}`]
  if (pod.phase) lines.push(`Phase:    ${pod.phase}`)
  if (pod.nodeName) lines.push(`Node:     ${pod.nodeName}`)
  const d = e.decision
  if (!d) {
    lines.push(`Decision: none — ${e.reason ?? 'unknown'}`)
    return lines.join('\n') + '\n'
  }
  const result = 'nodeName' in d.outcome ? `bound to ${d.outcome.nodeName}` : `unschedulable: ${d.outcome.message}`
  lines.push(`Decision: attempt ${d.attempt} on revision ${d.rev}${d.uid && pod.uid && d.uid !== pod.uid ? ` (for an earlier pod of this name, uid ${d.uid})` : ''}`)
  lines.push(`Result:   ${result}${d.bindError ? ` (binding failed: ${d.bindError})` : ''}`)
  lines.push('')
  const header = ['NODE', 'FILTER', ...d.plugins.map((p) => p.toUpperCase()), 'TOTAL', '']
  const rows = d.nodes.map((n) => {
    const blanks = d.plugins.map(() => '')
    if (n.result === 'rejected') return [n.node, `${n.plugin}: ${n.reasons.join('; ') || 'rejected'}`, ...blanks, '', '']
    if (n.result === 'not-evaluated') return [n.node, 'not evaluated (enough feasible nodes found first)', ...blanks, '', '']
    return [n.node, 'passed', ...d.plugins.map((p) => String(n.scores[p] ?? '')), String(n.total), n.chosen ? '← chosen' : '']
  })
  lines.push(table([header, ...rows]))
  const rejected = d.nodes.filter((n) => n.result === 'rejected').length
  const skipped = d.nodes.filter((n) => n.result === 'not-evaluated').length
  lines.push('')
  lines.push(`${d.nodes.length} nodes: ${d.nodes.length - rejected - skipped} feasible, ${rejected} rejected${skipped ? `, ${skipped} not evaluated` : ''}`)
  return lines.join('\n') + '\n'
}
