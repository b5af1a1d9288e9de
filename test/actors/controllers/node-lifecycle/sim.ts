/**
 * A simulated cluster around the node lifecycle machine, on the virtual clock: an api-server that
 * applies the machine's commands after `latencyMs` and feeds the changed Node back as an informer
 * change (with the revision and log event type), kubelets that renew their Lease every 10 s and post
 * status on demand, and a log of every appended event with its cause.
 */
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js'
import { createActor, type AnyActorRef, type InspectionEvent } from 'xstate'
import { nodeLifecycleMachine, type NodeLifecycleCommand, type NodeLifecycleFlags } from '../../../../actors/controllers/node-lifecycle/controller.js'
import { rfc3339 } from '../../../../actors/controllers/node-lifecycle/node.js'
import { VirtualClock } from '../../../../runtime/clock/virtual-clock.js'

export const T0 = Date.parse('2025-01-01T00:00:00Z')
export const LEASE_RENEW_MS = 10_000

export interface LogEntry {
  rev: number
  type: string
  node: string
  cause?: number
  at: number
  data?: unknown
}

export interface NodeSpec {
  zone?: string
  region?: string
  /** Status of the Ready condition the kubelet registered with; `none` registers without conditions. */
  ready?: 'True' | 'False' | 'none'
  labels?: Record<string, string>
  /** Renew a lease (default true). */
  lease?: boolean
  /** Offset of the first lease renewal after registration (default 0). */
  leaseOffsetMs?: number
  /** Conditions to register with instead of the kubelet's four. */
  conditions?: NodeCondition[]
  /** Taints the node already carries. */
  taints?: Taint[]
}

export const KUBELET_CONDITIONS = (ready: 'True' | 'False', at: number): NodeCondition[] => [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: rfc3339(at), lastTransitionTime: rfc3339(at) },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: rfc3339(at), lastTransitionTime: rfc3339(at) },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', lastHeartbeatTime: rfc3339(at), lastTransitionTime: rfc3339(at) },
  ready === 'True'
    ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: rfc3339(at), lastTransitionTime: rfc3339(at) }
    : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down', lastHeartbeatTime: rfc3339(at), lastTransitionTime: rfc3339(at) },
]

export class Sim {
  readonly clock: VirtualClock
  readonly actor
  readonly nodes = new Map<string, Node>()
  readonly log: LogEntry[] = []
  readonly commands: { at: number; cmd: NodeLifecycleCommand }[] = []
  /** Nodes whose kubelet has stopped (no lease renewals, no status). */
  readonly silent = new Set<string>()
  latencyMs = 10
  /** Return true to make the api-server refuse the command (the host then reports COMMAND_FAILED). */
  fail: (cmd: NodeLifecycleCommand) => boolean = () => false
  /** MONITOR_TICK events each node machine received. */
  readonly ticks = new Map<string, number>()
  private rev = 0
  private leaseTimers = new Map<string, unknown>()

  constructor(flags: Partial<NodeLifecycleFlags> = {}, start = T0) {
    this.clock = new VirtualClock(start)
    const inspect = (e: InspectionEvent) => {
      if (e.type !== '@xstate.event' || e.event.type !== 'MONITOR_TICK') return
      const id = (e.actorRef as AnyActorRef).id.replace(/^node-controller\//, '')
      this.ticks.set(id, (this.ticks.get(id) ?? 0) + 1)
    }
    this.actor = createActor(nodeLifecycleMachine, { clock: this.clock, input: { flags, now: start }, inspect })
    this.actor.on('*', (cmd) => {
      this.commands.push({ at: this.clock.now(), cmd })
      this.clock.setTimeout(() => this.execute(cmd), this.latencyMs)
    })
    this.actor.start()
  }

  get now() {
    return this.clock.now()
  }

  private append(name: string, type: string, node: Node | undefined, cause?: number, data?: unknown): number {
    const rev = ++this.rev
    this.log.push({ rev, type, node: name, cause, at: this.now, data })
    if (node) {
      const versioned = { ...node, metadata: { ...node.metadata, resourceVersion: String(rev) } }
      this.nodes.set(name, versioned)
      this.actor.send({ type: 'NODE_UPSERTED', node: versioned, rev, eventType: type, now: this.now })
    } else {
      this.nodes.delete(name)
      this.actor.send({ type: 'NODE_REMOVED', name, now: this.now })
    }
    return rev
  }

  private execute(cmd: NodeLifecycleCommand): void {
    const node = this.nodes.get(cmd.node)
    if (!node) return
    if (this.fail(cmd)) {
      if (cmd.type === 'ApplyTaint' || cmd.type === 'RemoveTaints' || cmd.type === 'SetNodeConditions' || cmd.type === 'MarkPodsNotReady') {
        this.actor.send({ type: 'COMMAND_FAILED', node: cmd.node, command: cmd.type, cause: cmd.cause, now: this.now })
      }
      return
    }
    switch (cmd.type) {
      case 'SetNodeConditions': {
        const merged = [...(node.status?.conditions ?? [])]
        for (const c of cmd.conditions) {
          const i = merged.findIndex((m) => m.type === c.type)
          if (i >= 0) merged[i] = c
          else merged.push(c)
        }
        this.append(cmd.node, 'NodeConditionChanged', { ...node, status: { ...node.status, conditions: merged } }, cmd.cause, cmd)
        return
      }
      case 'MarkPodsNotReady':
        this.log.push({ rev: ++this.rev, type: 'PodStatusUpdated', node: cmd.node, cause: cmd.cause, at: this.now })
        return
      case 'ApplyTaint': {
        const kept = (node.spec?.taints ?? []).filter(
          (t) => !(t.key === cmd.add.key && t.effect === cmd.add.effect) && !(cmd.remove && t.key === cmd.remove.key && t.effect === cmd.remove.effect),
        )
        this.append(cmd.node, 'NodeTainted', { ...node, spec: { ...node.spec, taints: [...kept, cmd.add] } }, cmd.cause, cmd)
        return
      }
      case 'RemoveTaints': {
        let current = node
        for (const r of cmd.taints) {
          const taints = (current.spec?.taints ?? []).filter((t) => !(t.key === r.key && t.effect === r.effect))
          current = { ...current, spec: { ...current.spec, taints } }
          this.append(cmd.node, 'NodeUntainted', current, cmd.cause, r)
          current = this.nodes.get(cmd.node)!
        }
        return
      }
    }
  }

  addNode(name: string, spec: NodeSpec = {}): void {
    const labels: Record<string, string> = { 'kubernetes.io/hostname': name, ...spec.labels }
    if (spec.zone !== undefined) labels['topology.kubernetes.io/zone'] = spec.zone
    if (spec.region !== undefined) labels['topology.kubernetes.io/region'] = spec.region
    const ready = spec.ready ?? 'True'
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels, creationTimestamp: rfc3339(this.now) },
      spec: spec.taints ? { taints: spec.taints } : {},
      status: spec.conditions ? { conditions: spec.conditions } : ready === 'none' ? {} : { conditions: KUBELET_CONDITIONS(ready, this.now) },
    }
    this.append(name, 'NodeRegistered', node)
    if (spec.lease !== false) this.startLease(name, spec.leaseOffsetMs ?? 0)
  }

  private startLease(name: string, offset: number): void {
    const renew = () => {
      if (this.silent.has(name) || !this.nodes.has(name)) return
      this.actor.send({ type: 'LEASE_RENEWED', name, renewTime: this.now, now: this.now })
      this.leaseTimers.set(name, this.clock.setTimeout(renew, LEASE_RENEW_MS))
    }
    if (offset === 0) renew()
    else this.leaseTimers.set(name, this.clock.setTimeout(renew, offset))
  }

  /** The kubelet stops: no more lease renewals or status. */
  silence(...names: string[]): void {
    for (const n of names) {
      this.silent.add(n)
      this.clock.clearTimeout(this.leaseTimers.get(n))
    }
  }

  /** The kubelet comes back: it posts its status (fresh heartbeat) and renews its lease again. */
  revive(name: string, ready: 'True' | 'False' = 'True'): void {
    this.silent.delete(name)
    this.postStatus(name, ready)
    this.startLease(name, 0)
  }

  /** The kubelet posts a status whose Ready condition is `ready`, heartbeat now. */
  postStatus(name: string, ready: 'True' | 'False'): number {
    const node = this.nodes.get(name)!
    return this.append(name, 'NodeStatusUpdated', { ...node, status: { ...node.status, conditions: KUBELET_CONDITIONS(ready, this.now) } })
  }

  deleteNode(name: string): void {
    this.silence(name)
    this.append(name, 'NodeDeleted', undefined)
  }

  advance(ms: number): void {
    this.clock.advance(ms)
  }

  // --- reading the outcome

  ready(name: string): string | undefined {
    return this.nodes.get(name)?.status?.conditions?.find((c) => c.type === 'Ready')?.status
  }
  condition(name: string, type: string): NodeCondition | undefined {
    return this.nodes.get(name)?.status?.conditions?.find((c) => c.type === type)
  }
  taints(name: string): Taint[] {
    return this.nodes.get(name)?.spec?.taints ?? []
  }
  taintKeys(name: string): string[] {
    return this.taints(name).map((t) => t.key)
  }
  /** Appended events of one type (optionally for one node), in order. */
  events(type: string, node?: string): LogEntry[] {
    return this.log.filter((e) => e.type === type && (node === undefined || e.node === node))
  }
  /** Seconds after `from` at which events of `type` were appended. */
  times(type: string, from: number, node?: string): number[] {
    return this.events(type, node).map((e) => (e.at - from) / 1000)
  }
  entry(rev: number | undefined): LogEntry | undefined {
    return this.log.find((e) => e.rev === rev)
  }
  /** The value of a node machine (`{ health, taint }`). */
  state(name: string): unknown {
    return this.actor.getSnapshot().children[`node-controller/${name}`]?.getSnapshot().value
  }
  zone(zone: string) {
    return this.actor.getSnapshot().context.zones[zone]
  }
}
