import type { JetStreamClient } from '@nats-io/jetstream'
import type { ClusterStore } from '../projections/cluster-store.js'
import { clusterStoreAt } from '../projections/at-revision.js'

/**
 * The cluster as it was at revision `rev`, for reads at a revision (`get --at`, `diff`, `replay`):
 * the newest snapshot at or below `rev` plus the log up to it. `onProgress` sees the revision
 * reached and the one aimed at (progress bars). The caller has checked `rev` is not beyond the
 * log's head: the store then claims `rev` even when the last event at or before it is older
 * (nothing happened in between), so lists at `rev` answer `resourceVersion: rev`.
 */
export async function projectionAt(js: JetStreamClient, rev: number, onProgress?: (rev: number, target: number) => void): Promise<ClusterStore> {
  const { store } = await clusterStoreAt(js, rev, { onProgress })
  if (store.rev < rev) store.rev = rev
  return store
}
