import type { LogEvent, Recorded } from '../../events/index.js'
import type { ObjectChange } from '../projections/types.js'
import { AcknowledgedWrites, type Ack } from './acknowledged-writes.js'
import { BoundOnce } from './bound-once.js'
import { ReplicaSetConvergence, type ReplicaSetState } from './convergence.js'
import { OneNodeAtOnce, RuntimeFromLog, type PodRuntimeObservation } from './one-node.js'
import { ProjectionsAgree, type ProjectionReport } from './projections-agree.js'
import { ResourceVersions } from './resource-versions.js'
import type { Violation } from './violation.js'

export interface InvariantSuiteOptions {
  /** Time every ReplicaSet is given to converge after the last disturbance, ms. */
  convergeWithinMs: number
  /** Start of the run (epoch ms): the first quiet period counts from here. */
  start: number
  /** Derive runtime observations from nodes' status events in the log (when the nodes report none themselves). */
  runtimeFromLog?: boolean
  /** Called with each violation as it is found (continuous checking). */
  onViolation?(v: Violation): void
}

/**
 * All built-in invariants behind one object, fed incrementally: log records, acknowledgements,
 * runtime observations, watchers' changes, projection hashes and ReplicaSet states, in any
 * interleaving. `finish` closes what can only be judged at the end. Pure: no clock, no I/O.
 */
export class InvariantSuite {
  readonly violations: Violation[] = []
  readonly acks: AcknowledgedWrites
  readonly boundOnce: BoundOnce
  readonly oneNode: OneNodeAtOnce
  readonly convergence: ReplicaSetConvergence
  readonly versions: ResourceVersions
  readonly projections: ProjectionsAgree
  private readonly fromLog?: RuntimeFromLog

  constructor(private readonly o: InvariantSuiteOptions) {
    const sink = (v: Violation) => {
      this.violations.push(v)
      o.onViolation?.(v)
    }
    this.acks = new AcknowledgedWrites(sink)
    this.boundOnce = new BoundOnce(sink)
    this.oneNode = new OneNodeAtOnce(sink)
    this.convergence = new ReplicaSetConvergence(sink, o.convergeWithinMs, o.start)
    this.versions = new ResourceVersions(sink)
    this.projections = new ProjectionsAgree(sink)
    if (o.runtimeFromLog) this.fromLog = new RuntimeFromLog()
  }

  /** One log record, in log order. */
  record(rec: Recorded<LogEvent>): void {
    this.versions.record(rec)
    this.acks.record(rec)
    this.boundOnce.record(rec)
    if (this.fromLog) for (const o of this.fromLog.record(rec)) this.oneNode.observe(o)
  }
  ack(a: Ack): void {
    this.acks.ack(a)
  }
  runtime(o: PodRuntimeObservation): void {
    this.oneNode.observe(o)
  }
  change(observer: string, resource: string, c: ObjectChange<unknown>, at?: number): void {
    this.versions.observe(observer, resource, c, at)
  }
  projection(r: ProjectionReport): void {
    this.projections.report(r)
  }
  faultBegan(at: number): void {
    this.convergence.begin(at)
  }
  faultEnded(at: number): void {
    this.convergence.end(at)
  }
  desiredChanged(at: number): void {
    this.convergence.disturb(at)
  }
  replicaSets(now: number, states: readonly ReplicaSetState[]): void {
    this.convergence.check(now, states)
  }

  /** The run is over and the log complete. */
  finish(): Violation[] {
    this.acks.finish()
    return this.violations
  }
}
