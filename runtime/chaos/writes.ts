import { logSubject } from '../../events/index.js'
import type { ClientConfig } from '../cluster/kubeconfig.js'
import { callJson } from '../cli/http.js'

/** One acknowledged write: the API answered 201 with this revision for this object. */
export interface AckedWrite {
  rev: number
  subject: string
  at: number
}

export interface WriteStats {
  attempted: number
  acknowledged: number
  /** Refused or unanswered (API down, timeout, 5xx): never acknowledged, so never owed. */
  failed: number
}

const MAX_IN_FLIGHT = 8
const WRITE_TIMEOUT_MS = 10_000

/**
 * A steady stream of writes through the Kubernetes API, as a user's client makes them: Pods that
 * no node can take (a nodeSelector nothing has), each deleted right after its creation is
 * acknowledged, so the stream leaves nothing behind and starts no process. Each 201 is an
 * acknowledgement the log must keep.
 */
export function startWrites(cfg: ClientConfig, o: { ratePerSecond: number; namespace: string; runId: string; onAck(a: AckedWrite): void }) {
  const stats: WriteStats = { attempted: 0, acknowledged: 0, failed: 0 }
  let inFlight = 0
  let n = 0
  const pending = new Set<Promise<void>>()
  const path = `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods`
  const writeOne = async () => {
    const name = `chaos-write-${o.runId}-${++n}`
    stats.attempted++
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { 'kstate.io/chaos-writes': o.runId } },
      spec: { nodeSelector: { 'kstate.io/chaos-writes': 'nowhere' }, containers: [{ name: 'w', image: 'none', command: ['true'] }] },
    }
    try {
      const created = await within(callJson<{ metadata?: { resourceVersion?: string } }>(cfg, 'POST', path, pod), WRITE_TIMEOUT_MS)
      const rev = Number(created?.metadata?.resourceVersion)
      if (!Number.isInteger(rev) || rev <= 0) throw new Error('no resourceVersion in the answer')
      stats.acknowledged++
      o.onAck({ rev, subject: logSubject('pods', o.namespace, name), at: Date.now() })
      await within(callJson(cfg, 'DELETE', `${path}/${name}?gracePeriodSeconds=0`), WRITE_TIMEOUT_MS).catch(() => {})
    } catch {
      stats.failed++
    }
  }
  const timer = setInterval(() => {
    if (inFlight >= MAX_IN_FLIGHT) return
    inFlight++
    const p = writeOne().finally(() => {
      inFlight--
      pending.delete(p)
    })
    pending.add(p)
  }, 1000 / o.ratePerSecond)
  return {
    stats,
    /** Stops starting writes, waits for those in flight, and deletes what a failed delete left behind. */
    async stop(): Promise<WriteStats> {
      clearInterval(timer)
      await Promise.all([...pending])
      const left = await callJson<{ items: { metadata: { name: string } }[] }>(cfg, 'GET', `${path}?labelSelector=${encodeURIComponent(`kstate.io/chaos-writes=${o.runId}`)}`).catch(() => ({ items: [] }))
      for (const p of left.items) await within(callJson(cfg, 'DELETE', `${path}/${p.metadata.name}?gracePeriodSeconds=0`), WRITE_TIMEOUT_MS).catch(() => {})
      return stats
    },
  }
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout
  return Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error('timed out')), ms)))]).finally(() => clearTimeout(t))
}
