import type { JetStreamClient } from '@nats-io/jetstream'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Observable } from 'rxjs'
import { ApiError, failureStatus, logResourceFilter, type Resource } from '../../events/index.js'
import { tailLog } from '../event-log/tail.js'
import { ClusterStore } from '../projections/cluster-store.js'
import { loadSnapshot, logBounds } from '../projections/snapshot-load.js'
import type { ObjectChange } from '../projections/types.js'

/** Kubernetes' answer to a watch from a revision the log no longer holds: 410, reason Expired. */
export function tooOldResourceVersion(rev: number, oldest: number): ApiError {
  return new ApiError(failureStatus('Expired', `too old resource version: ${rev} (${oldest})`))
}

/**
 * Changes of one resource after revision `afterRev`, exactly as the log recorded them, then live:
 * what a watch from an older resourceVersion resumes with. It rebuilds the resource's projection
 * at `afterRev` — the newest snapshot at or below it plus the log up to it, not the whole history
 * — so every change carries the object before and after, then follows the log until `signal`
 * aborts. Rejects with 410 Expired when the log no longer holds what it needs (retention): before
 * calling `started` when the events after `afterRev` are gone; after it when only the state at
 * `afterRev` is (no snapshot between the oldest revision kept and `afterRev`).
 */
export async function changesSince(
  js: JetStreamClient,
  resource: Resource,
  afterRev: number,
  emit: (c: ObjectChange<Pod | Node>) => void,
  signal: AbortSignal,
  started?: () => void,
): Promise<void> {
  const bounds = await logBounds(js)
  const oldest = bounds.firstSeq - 1 // the oldest revision the log can continue from
  if (afterRev < oldest) throw tooOldResourceVersion(afterRev, oldest)
  started?.() // the stream begins: loading a large snapshot may take a moment
  const loaded = await loadSnapshot(js, { maxRev: afterRev, only: resource, bounds })
  // Without a snapshot the state at `afterRev` is the log from 1, which must still be there.
  if (!loaded && bounds.firstSeq > 1) throw tooOldResourceVersion(afterRev, oldest)
  const store = loaded?.store ?? new ClusterStore()
  const informer = store.resource(resource) as unknown as { changes$: Observable<ObjectChange<Pod | Node>> }
  const sub = informer.changes$.subscribe((c) => {
    if (c.rev > afterRev && c.event) emit(c)
  })
  const tail = await tailLog(js, { filter: logResourceFilter(resource), fromRev: store.rev + 1, onEvent: (rec) => store.apply(rec) })
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })))
  sub.unsubscribe()
  await tail.stop()
}
