import type { Resource } from '../../events/index.js'
import type { Rng } from './random.js'

/**
 * Faults of the deterministic simulation. They act on its in-process network, its simulated
 * kubelets and the views its processes have of the log — the same kinds `kstate chaos` injects
 * into a live cluster through NATS and the process supervisor.
 */
export type SimFault =
  /** The node's kubelet and its pods die; they come back when the fault ends. */
  | { kind: 'node-crash'; node: string }
  /** Every message between the node and the control plane is lost, both ways; its pods keep running. */
  | { kind: 'node-partition'; node: string }
  /** The node's Lease renewals stop reaching the node controller (the kubelet and its API calls are fine). */
  | { kind: 'lease-loss'; node: string }
  /** The node's clock runs `offsetMs` off: its Lease renewTimes and status timestamps shift. */
  | { kind: 'clock-skew'; node: string; offsetMs: number }
  /** A control-plane process loses the api-server: its requests fail and its watch stalls. */
  | { kind: 'partition'; process: string }
  /** Messages to and from `endpoint` (a process or a node) wait `ms` ± `jitterMs`. */
  | { kind: 'delay'; endpoint: string; ms: number; jitterMs: number }
  /** A fraction of the messages to and from `endpoint` is lost. */
  | { kind: 'drop'; endpoint: string; probability: number }
  /** A fraction of the messages to and from `endpoint` arrives twice. */
  | { kind: 'duplicate'; endpoint: string; probability: number }
  /** Messages to and from `endpoint` are held up to `windowMs` each, so later ones overtake earlier ones. */
  | { kind: 'reorder'; endpoint: string; windowMs: number }
  /**
   * The process's watch lags `lagMs` behind the log: a stale view when `resources` holds all of
   * them, a partial one (some resources current, others behind) otherwise.
   */
  | { kind: 'watch-lag'; process: string; resources: Resource[]; lagMs: number }

export type SimFaultKind = SimFault['kind']

export interface ScheduledFault {
  /** `f<n>`, in schedule order. */
  id: string
  /** Offset from the start of the run, ms. */
  at: number
  forMs: number
  fault: SimFault
}

/** The control-plane processes besides the api-server, as network endpoints and log-view owners. */
export const CONTROL_PROCESSES = ['scheduler', 'node-controller', 'taint-eviction-controller', 'replicaset-controller'] as const
/** The simulated kubelets share one view of the log. */
export const KUBELETS = 'kubelets'

/** What each process watches (an informer per resource), as the hosts subscribe. */
export const WATCHES: Readonly<Record<(typeof CONTROL_PROCESSES)[number] | typeof KUBELETS, readonly Resource[]>> = {
  scheduler: ['pods', 'nodes'],
  'node-controller': ['pods', 'nodes'],
  'taint-eviction-controller': ['pods', 'nodes'],
  'replicaset-controller': ['pods', 'replicasets'],
  [KUBELETS]: ['pods', 'nodes'],
}

export interface ScheduleOptions {
  /** Mean faults per simulated hour. */
  ratePerHour: number
  /** Faults start no earlier than this (the cluster comes up first), ms from the start. */
  fromMs: number
  /** Every fault has ended by this, ms from the start (the quiet tail the cluster converges in). */
  untilMs: number
  nodes: readonly string[]
}

const s = 1_000
const min = 60_000

/** How often each kind is drawn (weights) and how long it lasts. */
const KINDS: { kind: SimFaultKind; weight: number; forMs: [number, number] }[] = [
  { kind: 'node-crash', weight: 3, forMs: [20 * s, 10 * min] },
  { kind: 'node-partition', weight: 3, forMs: [20 * s, 10 * min] },
  { kind: 'lease-loss', weight: 2, forMs: [10 * s, 3 * min] },
  { kind: 'clock-skew', weight: 1, forMs: [1 * min, 20 * min] },
  { kind: 'partition', weight: 2, forMs: [5 * s, 2 * min] },
  { kind: 'delay', weight: 2, forMs: [30 * s, 5 * min] },
  { kind: 'drop', weight: 2, forMs: [30 * s, 5 * min] },
  { kind: 'duplicate', weight: 2, forMs: [30 * s, 5 * min] },
  { kind: 'reorder', weight: 2, forMs: [30 * s, 5 * min] },
  { kind: 'watch-lag', weight: 3, forMs: [30 * s, 5 * min] },
]
const TOTAL_WEIGHT = KINDS.reduce((n, k) => n + k.weight, 0)

function drawKind(rng: Rng): (typeof KINDS)[number] {
  let x = rng.float() * TOTAL_WEIGHT
  for (const k of KINDS) if ((x -= k.weight) < 0) return k
  return KINDS[KINDS.length - 1]
}

function drawFault(rng: Rng, kind: SimFaultKind, nodes: readonly string[]): SimFault {
  const node = () => rng.pick(nodes)
  const endpoint = () => (rng.chance(0.5) ? rng.pick(CONTROL_PROCESSES) : node())
  switch (kind) {
    case 'node-crash':
    case 'node-partition':
    case 'lease-loss':
      return { kind, node: node() }
    case 'clock-skew':
      return { kind, node: node(), offsetMs: (rng.chance(0.5) ? 1 : -1) * rng.int(1, 60) * s }
    case 'partition':
      return { kind, process: rng.pick(CONTROL_PROCESSES) }
    case 'delay':
      return { kind, endpoint: endpoint(), ms: rng.int(5, 300) * 10, jitterMs: rng.int(0, 100) * 10 }
    case 'drop':
      return { kind, endpoint: endpoint(), probability: rng.int(5, 50) / 100 }
    case 'duplicate':
      return { kind, endpoint: endpoint(), probability: rng.int(5, 50) / 100 }
    case 'reorder':
      return { kind, endpoint: endpoint(), windowMs: rng.int(1, 50) * 100 }
    case 'watch-lag': {
      const process = rng.pick(Object.keys(WATCHES) as (keyof typeof WATCHES)[])
      const watched = WATCHES[process]
      // Partial: one of the resources the process watches lags, the other is current.
      const resources = rng.chance(0.5) ? [rng.pick(watched)] : [...watched]
      return { kind, process, resources, lagMs: rng.int(1, 60) * s }
    }
  }
}

/** A seeded Poisson schedule of faults; each ends by `untilMs`. */
export function faultSchedule(rng: Rng, o: ScheduleOptions): ScheduledFault[] {
  const out: ScheduledFault[] = []
  if (o.ratePerHour <= 0 || o.untilMs <= o.fromMs || o.nodes.length === 0) return out
  const meanGap = 3_600_000 / o.ratePerHour
  for (let at = o.fromMs + rng.exponential(meanGap); at < o.untilMs; at += rng.exponential(meanGap)) {
    const k = drawKind(rng)
    const start = Math.round(at / 100) * 100
    const forMs = Math.min(rng.int(k.forMs[0] / 100, k.forMs[1] / 100) * 100, o.untilMs - start)
    if (forMs <= 0) continue
    out.push({ id: `f${out.length + 1}`, at: start, forMs, fault: drawFault(rng, k.kind, o.nodes) })
  }
  return out
}

/** `node-crash sim-node-00003`, `drop scheduler 30%`: one line for listings. */
export function describeFault(f: SimFault): string {
  switch (f.kind) {
    case 'node-crash':
    case 'node-partition':
    case 'lease-loss':
      return `${f.kind} ${f.node}`
    case 'clock-skew':
      return `${f.kind} ${f.node} ${f.offsetMs >= 0 ? '+' : ''}${f.offsetMs / 1000}s`
    case 'partition':
      return `${f.kind} ${f.process}`
    case 'delay':
      return `${f.kind} ${f.endpoint} ${f.ms}ms±${f.jitterMs}ms`
    case 'drop':
    case 'duplicate':
      return `${f.kind} ${f.endpoint} ${Math.round(f.probability * 100)}%`
    case 'reorder':
      return `${f.kind} ${f.endpoint} ${f.windowMs}ms`
    case 'watch-lag':
      return `${f.kind} ${f.process} ${f.resources.join(',')} ${f.lagMs / 1000}s`
  }
}
