import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import type { Rng } from './random.js'

export interface WorkloadOptions {
  /** Pods across all ReplicaSets at the start. */
  pods: number
  /** Desired-state changes (a user scaling a ReplicaSet) per simulated hour. */
  scalesPerHour: number
  /** Scaling happens only before this, ms from the start (the quiet tail). */
  untilMs: number
}

/** How many ReplicaSets carry `pods`: one per 10 pods, at most 10 (20,000 pods: 2,000 each). */
export const replicaSetCount = (pods: number) => Math.max(1, Math.min(10, Math.ceil(pods / 10)))

export function replicaSet(i: number, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `app-${i}`, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: `app-${i}` } },
      template: { metadata: { labels: { app: `app-${i}` } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } },
    },
  }
}

/**
 * The user of the simulated cluster: creates the ReplicaSets, then now and then scales one by up
 * to a fifth of its size (seeded). Returns the start offsets of its changes, for the convergence
 * invariant's notion of "the last disturbance".
 */
export class Workload {
  readonly sizes: number[]
  constructor(
    private readonly api: ApiClient,
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly o: WorkloadOptions,
    private readonly onDesiredChange: (at: number) => void,
  ) {
    const n = replicaSetCount(o.pods)
    this.sizes = Array.from({ length: n }, (_, i) => Math.floor(o.pods / n) + (i < o.pods % n ? 1 : 0))
  }

  async start(startedAt: number): Promise<void> {
    for (const [i, size] of this.sizes.entries()) {
      const r = await this.api.request({ verb: 'create', resource: 'replicasets', namespace: 'default', object: replicaSet(i, size) })
      if (!r.ok) throw new Error(`creating replicaset app-${i}: ${r.status.message}`)
    }
    if (this.o.scalesPerHour <= 0) return
    const mean = 3_600_000 / this.o.scalesPerHour
    for (let at = this.rng.exponential(mean); at < this.o.untilMs; at += this.rng.exponential(mean)) {
      const i = this.rng.int(0, this.sizes.length - 1)
      const delta = this.rng.int(-Math.ceil(this.sizes[i] / 5), Math.ceil(this.sizes[i] / 5))
      this.clock.setTimeout(() => this.scale(i, delta), Math.max(0, startedAt + Math.round(at / 100) * 100 - this.clock.now()))
    }
  }

  private scale(i: number, delta: number): void {
    const replicas = Math.max(0, this.sizes[i] + delta)
    this.sizes[i] = replicas
    this.onDesiredChange(this.clock.now())
    void this.api.request({ verb: 'scale', resource: 'replicasets', namespace: 'default', name: `app-${i}`, replicas })
  }
}
