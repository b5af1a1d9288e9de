import type { Resource } from '../../events/index.js'
import type { Clock } from '../clock/clock.js'
import type { ScheduledFault, SimFault } from './faults.js'
import type { SimKubelets } from './kubelets.js'
import type { SimNetwork } from './network.js'
import type { ProcessView } from './process-view.js'

export interface InjectorDeps {
  clock: Clock
  net: SimNetwork
  kubelets: SimKubelets
  views: ReadonlyMap<string, ProcessView>
  /** What else a process's partition cuts it off from (the node controller's Lease watch). */
  watches?: ReadonlyMap<string, { pause(): void; resume(): void }>
  /** A fault began or ended (the convergence invariant's disturbances). */
  onBegin?(f: ScheduledFault): void
  onEnd?(f: ScheduledFault): void
}

/**
 * Applies a fault schedule on the clock: each fault begins at its offset and is undone `forMs`
 * later. Overlapping faults compose: two partitions of one node need two heals, the lag of a view
 * is the largest of the lags in effect.
 */
export class FaultInjector {
  /** `process resource` → fault id → lag. */
  private readonly lags = new Map<string, Map<string, number>>()
  readonly active = new Map<string, ScheduledFault>()
  began = 0

  constructor(private readonly d: InjectorDeps) {}

  schedule(faults: readonly ScheduledFault[], startedAt: number): void {
    const { clock } = this.d
    for (const f of faults) {
      clock.setTimeout(() => {
        this.began++
        this.active.set(f.id, f)
        this.apply(f.id, f.fault, true)
        this.d.onBegin?.(f)
        clock.setTimeout(() => {
          this.active.delete(f.id)
          this.apply(f.id, f.fault, false)
          this.d.onEnd?.(f)
        }, f.forMs)
      }, Math.max(0, startedAt + f.at - clock.now()))
    }
  }

  private apply(id: string, f: SimFault, on: boolean): void {
    const { net, kubelets } = this.d
    switch (f.kind) {
      case 'node-crash':
        return on ? kubelets.crash(f.node) : kubelets.restart(f.node)
      case 'node-partition':
        return on ? net.isolate(f.node) : net.heal(f.node)
      case 'lease-loss':
        return kubelets.loseLeases(f.node, on)
      case 'clock-skew':
        return kubelets.skewClock(f.node, on ? f.offsetMs : -f.offsetMs)
      case 'partition': {
        const view = this.d.views.get(f.process)
        const watch = this.d.watches?.get(f.process)
        if (on) {
          net.isolate(f.process)
          view?.pause()
          watch?.pause()
        } else {
          net.heal(f.process)
          view?.resume()
          watch?.resume()
        }
        return
      }
      case 'delay':
        return on ? net.addRule(id, f.endpoint, { kind: 'delay', ms: f.ms, jitterMs: f.jitterMs }) : net.removeRule(id, f.endpoint)
      case 'drop':
        return on ? net.addRule(id, f.endpoint, { kind: 'drop', probability: f.probability }) : net.removeRule(id, f.endpoint)
      case 'duplicate':
        return on ? net.addRule(id, f.endpoint, { kind: 'duplicate', probability: f.probability }) : net.removeRule(id, f.endpoint)
      case 'reorder':
        return on ? net.addRule(id, f.endpoint, { kind: 'reorder', windowMs: f.windowMs }) : net.removeRule(id, f.endpoint)
      case 'watch-lag':
        for (const r of f.resources) this.lag(id, f.process, r, on ? f.lagMs : undefined)
        return
    }
  }

  private lag(id: string, process: string, resource: Resource, ms: number | undefined): void {
    const key = `${process} ${resource}`
    let m = this.lags.get(key)
    if (!m) this.lags.set(key, (m = new Map()))
    if (ms === undefined) m.delete(id)
    else m.set(id, ms)
    this.d.views.get(process)?.setLag([resource], Math.max(0, ...m.values()))
  }
}
