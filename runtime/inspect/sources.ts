import type { EventObject } from 'xstate'

/**
 * Where an event a host sent came from, by the naming habits of the machines' events: informer
 * changes (`*_UPSERTED`, `*_REMOVED`, `PODS_CHANGED`), answers to commands (`*_DONE`, `*_FAILED`,
 * `BIND_SUCCEEDED`, `EVICTED`, …: the api-server), Lease traffic, the container runtime. The
 * default `source` of every host's inspection; a host passes its own when it knows better.
 */
export function hostSource(event: EventObject): string {
  const t = event.type
  if (t.startsWith('LEASE')) return 'leases'
  if (t.startsWith('CONTAINER_')) return 'container-runtime'
  if (/_(UPSERTED|REMOVED|CHANGED)$/.test(t) || t === 'START' || t === 'DELETE_REQUESTED' || t === 'POD_GONE' || t === 'NODE_OBJECT_STALE') return 'informer'
  if (/(_DONE|_FAILED|_SUCCEEDED|_POSTED|^EVICTED|^REGISTERED)$/.test(t)) return 'api-server'
  if (t === 'WRITE') return 'request'
  if (t === 'LOG_CAUGHT_UP') return 'event-log'
  return 'host'
}
