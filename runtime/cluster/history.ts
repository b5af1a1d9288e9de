import type { JetStreamClient } from '@nats-io/jetstream'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { logResourceFilter, type Resource } from '../../events/index.js'
import { tailLog } from '../event-log/tail.js'
import { ClusterStore } from '../projections/cluster-store.js'
import type { ObjectChange } from '../projections/types.js'

/**
 * Changes of one resource after revision `afterRev`, exactly as the log recorded them, then live:
 * what a watch from an older resourceVersion resumes with. It replays the resource's history into
 * a private projection (so every change carries the whole object at that revision) and follows
 * the log until `signal` aborts.
 */
export async function changesSince(
  js: JetStreamClient,
  resource: Resource,
  afterRev: number,
  emit: (c: ObjectChange<Pod | Node>) => void,
  signal: AbortSignal,
): Promise<void> {
  const store = new ClusterStore()
  const informer = resource === 'pods' ? store.pods : store.nodes
  const sub = (informer.changes$ as import('rxjs').Observable<ObjectChange<Pod | Node>>).subscribe((c) => {
    if (c.rev > afterRev && c.event) emit(c)
  })
  const tail = await tailLog(js, { filter: logResourceFilter(resource), onEvent: (rec) => store.apply(rec) })
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })))
  sub.unsubscribe()
  await tail.stop()
}
