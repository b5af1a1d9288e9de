import type { Pod } from 'kubernetes-types/core/v1.js'
import type { LogEvent, Recorded } from '../../events/index.js'
import { INVARIANTS, objectOfSubject, type ViolationSink } from './violation.js'

/**
 * What a node says about one pod's containers: they started (`running`) or are gone (`stopped`).
 * Kubelets (real or simulated) report them as they act; `RuntimeFromLog` derives them from the
 * status events nodes append, for clusters whose nodes report nothing else.
 */
export interface PodRuntimeObservation {
  /** Epoch ms on the observer's clock. */
  at: number
  node: string
  /** The pod's uid: a namesake created later is another pod. */
  uid: string
  /** `pod/default/web-1`. */
  pod: string
  state: 'running' | 'stopped'
}

/**
 * No pod runs on two nodes at once: between a `running` and a `stopped` observation of a pod uid
 * on node A, no node B may report it `running`. A violation means a pod was placed twice, or a
 * node ran a pod that was not bound to it.
 */
export class OneNodeAtOnce {
  /** uid → node → since (epoch ms). */
  private readonly running = new Map<string, Map<string, number>>()

  constructor(private readonly sink: ViolationSink) {}

  observe(o: PodRuntimeObservation): void {
    let nodes = this.running.get(o.uid)
    if (o.state === 'stopped') {
      if (!nodes) return
      nodes.delete(o.node)
      if (nodes.size === 0) this.running.delete(o.uid)
      return
    }
    if (!nodes) this.running.set(o.uid, (nodes = new Map()))
    for (const [other, since] of nodes) {
      if (other === o.node) continue
      this.sink({ invariant: INVARIANTS.oneNodeAtOnce, object: o.pod, at: o.at, message: `pod uid ${o.uid} started on ${o.node} while running on ${other} since ${new Date(since).toISOString()}` })
    }
    if (!nodes.has(o.node)) nodes.set(o.node, o.at)
  }

  /** Nodes a pod uid runs on now (for tests and reports). */
  nodesOf(uid: string): string[] {
    return [...(this.running.get(uid)?.keys() ?? [])]
  }
}

const NODE_USER = 'system:node:'

/**
 * Runtime observations from the log: a status a node appended (`by` `system:node:NAME`) with phase
 * Running means the pod runs there; Succeeded, Failed or the pod's deletion means it stopped.
 */
export class RuntimeFromLog {
  /** subject → uid and the node that reported it running. */
  private readonly pods = new Map<string, { uid: string; node?: string }>()

  record(rec: Recorded<LogEvent>): PodRuntimeObservation[] {
    const e = rec.event
    switch (e.type) {
      case 'PodCreated':
        this.pods.set(rec.subject, { uid: (e.data.object as Pod).metadata?.uid ?? '' })
        return []
      case 'PodStatusUpdated': {
        const pod = this.pods.get(rec.subject)
        if (!pod || !e.by.startsWith(NODE_USER)) return []
        const node = e.by.slice(NODE_USER.length)
        const phase = e.data.status.phase
        if (phase === 'Running' && pod.node !== node) {
          pod.node = node
          return [{ at: e.at, node, uid: pod.uid, pod: objectOfSubject(rec.subject), state: 'running' }]
        }
        if ((phase === 'Succeeded' || phase === 'Failed') && pod.node === node) {
          pod.node = undefined
          return [{ at: e.at, node, uid: pod.uid, pod: objectOfSubject(rec.subject), state: 'stopped' }]
        }
        return []
      }
      case 'PodDeleted': {
        const pod = this.pods.get(rec.subject)
        this.pods.delete(rec.subject)
        return pod?.node ? [{ at: e.at, node: pod.node, uid: pod.uid, pod: objectOfSubject(rec.subject), state: 'stopped' }] : []
      }
      default:
        return []
    }
  }
}
