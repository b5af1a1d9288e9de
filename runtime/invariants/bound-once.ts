import type { LogEvent, Recorded } from '../../events/index.js'
import { INVARIANTS, objectOfSubject, type ViolationSink } from './violation.js'

interface Incarnation {
  uid: string
  boundRev: number
  node: string
}

/**
 * No pod is bound twice: one `PodBound` per pod incarnation (a `PodCreated` starts one, with its
 * uid; `PodDeleted` ends it). A pod's binding is immutable in Kubernetes; a second one means two
 * schedulers (or one that forgot its own write) won a race the api-server should have refused.
 */
export class BoundOnce {
  private readonly pods = new Map<string, Incarnation>()

  constructor(private readonly sink: ViolationSink) {}

  record(rec: Recorded<LogEvent>): void {
    const e = rec.event
    switch (e.type) {
      case 'PodCreated':
        this.pods.set(rec.subject, { uid: e.data.object.metadata?.uid ?? '', boundRev: 0, node: e.data.object.spec?.nodeName ?? '' })
        return
      case 'PodBound': {
        const pod = this.pods.get(rec.subject)
        if (!pod) return // created before the history began
        if (pod.boundRev > 0 || pod.node) {
          const before = pod.boundRev > 0 ? `to ${pod.node} at rev ${pod.boundRev}` : `to ${pod.node} at creation`
          this.sink({ invariant: INVARIANTS.boundOnce, rev: rec.rev, object: objectOfSubject(rec.subject), at: e.at, message: `pod uid ${pod.uid} bound to ${e.data.nodeName}, but it was bound ${before}` })
        }
        pod.boundRev = rec.rev
        pod.node = e.data.nodeName
        return
      }
      case 'PodDeleted':
        this.pods.delete(rec.subject)
        return
      case 'PodEvicted':
        // An eviction without a grace period removes the pod at once (see reducePod).
        if (e.data.deletionGracePeriodSeconds <= 0) this.pods.delete(rec.subject)
        return
      default:
        return
    }
  }
}
