import type { Lease } from 'kubernetes-types/coordination/v1.js'
import type { Node, NodeAddress, NodeCondition, NodeStatus, NodeSystemInfo } from 'kubernetes-types/core/v1.js'
import { assign, emit, setup } from 'xstate'

/**
 * The node-level kubelet (`kubelet.go`, `kubelet_node_status.go`, `nodelease`):
 *
 *   registering ──REGISTERED──▶ running ║ status: idle ─after(nodeStatusUpdateFrequency)─▶ check ─(changed or report due)─▶ posting
 *      ▲   │                             ║ lease:  renewing ─LEASE_RENEWED─▶ waiting ─after(leaseRenewInterval)─▶ renewing
 *      │   └REGISTER_FAILED▶ registerBackoff ─after(registerRetry: 100 ms doubling to 7 s)─▶ registering
 *      └──────── NODE_STATUS_FAILED{notFound} (the Node was deleted: register again) ◀── posting
 *
 * Status: computed every `nodeStatusUpdateFrequency` (10 s) and posted when it changed or when
 * `nodeStatusReportFrequency` has passed since the last post (Kubernetes 1.32: 5 min, or equal to
 * nodeStatusUpdateFrequency when that was set explicitly) — heartbeats travel in the Lease, so the
 * event log does not receive a NodeStatusUpdated every 10 s per node. A failed post is retried at
 * once up to 5 times (`nodeStatusUpdateRetry`), then at the next tick. The lease is renewed every
 * 0.25 × `nodeLeaseDurationSeconds` (10 s); a failed renewal is retried after 200 ms doubling to 7 s.
 *
 * Time is never read: events carry `at`, and a delayed transition knows the time it fires at (the
 * time its timer was armed plus the delay). Results (REGISTERED, NODE_STATUS_POSTED, LEASE_RENEWED)
 * bring the host's clock back, so the timestamps this machine writes stay on it.
 *
 * Pod workers are not children of this machine: the host creates one per pod bound here, because a
 * worker's life follows the pod (the informer), not node registration, and routing their commands
 * through a parent would add a hop with no decision in it. Their ids read `kubelet/<node>/pod/<ns>/<name>`.
 */

export const KUBELET_VERSION = 'v1.32.0-kstate'
export const CONTAINER_RUNTIME_VERSION = 'kstate-process://0.1.0'
export const NODE_LEASE_NAMESPACE = 'kube-node-lease'
export const KUBELET_PORT = 10250

export interface KubeletFlags {
  nodeStatusUpdateFrequencyMs: number
  /** Default: 5 min, or nodeStatusUpdateFrequencyMs when that is given explicitly (as Kubernetes defaults it). */
  nodeStatusReportFrequencyMs: number
  nodeLeaseDurationSeconds: number
}

export function kubeletFlags(flags: Partial<KubeletFlags> = {}): KubeletFlags {
  const update = flags.nodeStatusUpdateFrequencyMs
  return {
    nodeStatusUpdateFrequencyMs: update ?? 10_000,
    nodeStatusReportFrequencyMs: flags.nodeStatusReportFrequencyMs ?? update ?? 300_000,
    nodeLeaseDurationSeconds: flags.nodeLeaseDurationSeconds ?? 40,
  }
}

export interface KubeletInput {
  nodeName: string
  capacity: Record<string, string>
  /** Default: capacity less the hard eviction threshold (memory.available < 100Mi). */
  allocatable?: Record<string, string>
  nodeInfo: Pick<NodeSystemInfo, 'operatingSystem' | 'architecture' | 'osImage' | 'kernelVersion'> & Partial<Pick<NodeSystemInfo, 'machineID' | 'systemUUID' | 'bootID'>>
  /** InternalIP and Hostname. */
  addresses: NodeAddress[]
  labels?: Record<string, string>
  flags?: Partial<KubeletFlags>
  at: number
}

export type KubeletEvent =
  | { type: 'REGISTERED'; at: number; nodeUid?: string }
  | { type: 'REGISTER_FAILED'; at: number; message: string }
  | { type: 'NODE_STATUS_POSTED'; at: number }
  /** `notFound`: the Node object is gone (deleted by a user): register again. */
  | { type: 'NODE_STATUS_FAILED'; at: number; message: string; notFound: boolean }
  | { type: 'LEASE_RENEWED'; at: number }
  | { type: 'LEASE_FAILED'; at: number; message: string }
  /**
   * The Node object no longer says what this kubelet last posted (the node controller set Ready to
   * Unknown while the node was partitioned): post at the next tick instead of waiting for
   * `nodeStatusReportFrequency`, as Kubernetes' kubelet does by diffing against the API's copy.
   */
  | { type: 'NODE_OBJECT_STALE'; at: number }

export type KubeletCommand =
  /** Create the Node (AlreadyExists is success), then put its status. */
  | { type: 'RegisterNode'; node: Node }
  | { type: 'UpdateNodeStatus'; status: NodeStatus }
  /** Put the Lease into the lease bucket under the node's name. */
  | { type: 'RenewLease'; renewTime: string; lease: Lease }

/** Where each event is handled; fails to compile when an event is added and not placed. */
export const KUBELET_EVENT_HANDLERS: Record<KubeletEvent['type'], string> = {
  REGISTERED: 'registering → running',
  REGISTER_FAILED: 'registering → registerBackoff',
  NODE_STATUS_POSTED: 'running.status.posting → idle',
  NODE_STATUS_FAILED: 'running.status.posting → posting (retry) | idle | registering (notFound)',
  LEASE_RENEWED: 'running.lease.renewing → waiting',
  LEASE_FAILED: 'running.lease.renewing → retrying',
  NODE_OBJECT_STALE: 'running: forget the last post, so the next check posts',
}

export interface KubeletContext {
  input: KubeletInput
  flags: KubeletFlags
  allocatable: Record<string, string>
  now: number
  /** lastTransitionTime of the node conditions (they have not changed since). */
  conditionsSince: number
  nodeUid?: string
  registerFailures: number
  /** The status last sent, by content without heartbeat times, and when it was built. */
  sent?: { key: string; at: number }
  posted?: { key: string; at: number }
  statusFailures: number
  statusArmedAt: number
  leaseArmedAt: number
  leaseFailures: number
}

const NODE_STATUS_UPDATE_RETRY = 5

export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
/** metav1.MicroTime: six fractional digits. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z')

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 }
function bytes(q: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|)$/.exec(q.trim())
  return m ? Number(m[1]) * UNITS[m[2]] : undefined
}

/** Capacity less the default hard eviction threshold, as the kubelet reports allocatable. */
export function allocatableFor(capacity: Record<string, string>): Record<string, string> {
  const out = { ...capacity }
  const mem = capacity.memory !== undefined ? bytes(capacity.memory) : undefined
  if (mem !== undefined) out.memory = `${Math.max(0, Math.floor((mem - 100 * 1024 ** 2) / 1024))}Ki`
  return out
}

const CONDITIONS: readonly Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
]

/** The node's status as of `ctx.now` (`setNodeStatus`). */
export function nodeStatus(ctx: KubeletContext): NodeStatus {
  const { input } = ctx
  return {
    conditions: CONDITIONS.map((c) => ({ ...c, lastHeartbeatTime: rfc3339(ctx.now), lastTransitionTime: rfc3339(ctx.conditionsSince) })),
    addresses: input.addresses,
    capacity: { ...input.capacity },
    allocatable: { ...ctx.allocatable },
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: input.nodeInfo.machineID ?? '',
      systemUUID: input.nodeInfo.systemUUID ?? '',
      bootID: input.nodeInfo.bootID ?? '',
      kernelVersion: input.nodeInfo.kernelVersion,
      osImage: input.nodeInfo.osImage,
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: input.nodeInfo.operatingSystem,
      architecture: input.nodeInfo.architecture,
    },
  }
}

/** The status without heartbeat times: what "changed" means (`nodeStatusHasChanged`). */
const statusKey = (s: NodeStatus) => JSON.stringify({ ...s, conditions: s.conditions?.map(({ lastHeartbeatTime: _, ...c }) => c) })

export function initialNode(ctx: KubeletContext): Node {
  const { nodeName, nodeInfo, labels } = ctx.input
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName,
      labels: {
        'beta.kubernetes.io/arch': nodeInfo.architecture,
        'beta.kubernetes.io/os': nodeInfo.operatingSystem,
        'kubernetes.io/arch': nodeInfo.architecture,
        'kubernetes.io/hostname': nodeName.toLowerCase(),
        'kubernetes.io/os': nodeInfo.operatingSystem,
        ...labels,
      },
    },
    spec: {},
    status: nodeStatus(ctx),
  }
}

export function nodeLease(ctx: KubeletContext): Lease {
  const { nodeName } = ctx.input
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ...(ctx.nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: ctx.nodeUid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: ctx.flags.nodeLeaseDurationSeconds, renewTime: microTime(ctx.now) },
  }
}

export const kubeletMachine = setup({
  types: {
    context: {} as KubeletContext,
    events: {} as KubeletEvent,
    input: {} as KubeletInput,
    emitted: {} as KubeletCommand,
  },
  actions: {
    trackTime: assign({ now: ({ context, event }) => Math.max(context.now, event.at) }),
    register: emit(({ context }) => ({ type: 'RegisterNode' as const, node: initialNode(context) })),
    rememberRegistration: assign({ sent: ({ context }) => ({ key: statusKey(nodeStatus(context)), at: context.now }) }),
    postStatus: emit(({ context }) => ({ type: 'UpdateNodeStatus' as const, status: nodeStatus(context) })),
    rememberSent: assign({ sent: ({ context }) => ({ key: statusKey(nodeStatus(context)), at: context.now }) }),
    markPosted: assign({ posted: ({ context }) => context.sent, statusFailures: 0 }),
    renewLease: emit(({ context }) => ({ type: 'RenewLease' as const, renewTime: microTime(context.now), lease: nodeLease(context) })),
    armStatus: assign({ statusArmedAt: ({ context }) => context.now }),
    armLease: assign({ leaseArmedAt: ({ context }) => context.now }),
    /** A delayed transition fires at its arm time plus its delay. */
    statusTick: assign({ now: ({ context }) => Math.max(context.now, context.statusArmedAt + context.flags.nodeStatusUpdateFrequencyMs) }),
    leaseTick: assign({ now: ({ context }) => Math.max(context.now, context.leaseArmedAt + leaseRenewIntervalMs(context)) }),
    leaseRetryTick: assign({ now: ({ context }) => Math.max(context.now, context.leaseArmedAt + leaseRetryMs(context)) }),
    registerRetryTick: assign({ now: ({ context }) => context.now + registerRetryMs(context) }),
  },
  guards: {
    statusDue: ({ context }) => {
      const last = context.posted
      return !last || statusKey(nodeStatus(context)) !== last.key || context.now - last.at >= context.flags.nodeStatusReportFrequencyMs
    },
    notFound: ({ event }) => event.type === 'NODE_STATUS_FAILED' && event.notFound,
    retriesLeft: ({ context }) => context.statusFailures + 1 < NODE_STATUS_UPDATE_RETRY,
  },
  delays: {
    registerRetry: ({ context }) => registerRetryMs(context),
    nodeStatusUpdateFrequency: ({ context }) => context.flags.nodeStatusUpdateFrequencyMs,
    leaseRenewInterval: ({ context }) => leaseRenewIntervalMs(context),
    leaseRetry: ({ context }) => leaseRetryMs(context),
  },
}).createMachine({
  id: 'kubelet',
  context: ({ input }) => ({
    input,
    flags: kubeletFlags(input.flags),
    allocatable: input.allocatable ?? allocatableFor(input.capacity),
    now: input.at,
    conditionsSince: input.at,
    registerFailures: 0,
    statusFailures: 0,
    statusArmedAt: input.at,
    leaseArmedAt: input.at,
    leaseFailures: 0,
  }),
  initial: 'registering',
  states: {
    registering: {
      entry: ['rememberRegistration', 'register'],
      on: {
        REGISTERED: {
          target: 'running',
          actions: ['trackTime', assign({ nodeUid: ({ context, event }) => event.nodeUid ?? context.nodeUid, registerFailures: 0 }), 'markPosted'],
        },
        REGISTER_FAILED: { target: 'registerBackoff', actions: ['trackTime', assign({ registerFailures: ({ context }) => context.registerFailures + 1 })] },
      },
    },
    registerBackoff: {
      after: { registerRetry: { target: 'registering', actions: 'registerRetryTick' } },
    },
    running: {
      type: 'parallel',
      on: { NODE_OBJECT_STALE: { actions: ['trackTime', assign({ posted: undefined })] } },
      states: {
        status: {
          initial: 'idle',
          states: {
            idle: {
              entry: 'armStatus',
              after: { nodeStatusUpdateFrequency: { target: 'check', actions: 'statusTick' } },
            },
            check: {
              always: [{ guard: 'statusDue', target: 'posting' }, { target: 'idle' }],
            },
            posting: {
              entry: ['rememberSent', 'postStatus'],
              on: {
                NODE_STATUS_POSTED: { target: 'idle', actions: ['trackTime', 'markPosted'] },
                NODE_STATUS_FAILED: [
                  { guard: 'notFound', target: '#kubelet.registering', actions: ['trackTime', assign({ posted: undefined, statusFailures: 0 })] },
                  { guard: 'retriesLeft', target: 'posting', reenter: true, actions: ['trackTime', assign({ statusFailures: ({ context }) => context.statusFailures + 1 })] },
                  { target: 'idle', actions: ['trackTime', assign({ statusFailures: 0 })] },
                ],
              },
            },
          },
        },
        lease: {
          initial: 'renewing',
          states: {
            renewing: {
              entry: 'renewLease',
              on: {
                LEASE_RENEWED: { target: 'waiting', actions: ['trackTime', assign({ leaseFailures: 0 })] },
                LEASE_FAILED: { target: 'retrying', actions: ['trackTime', assign({ leaseFailures: ({ context }) => context.leaseFailures + 1 })] },
              },
            },
            waiting: {
              entry: 'armLease',
              after: { leaseRenewInterval: { target: 'renewing', actions: 'leaseTick' } },
            },
            retrying: {
              entry: 'armLease',
              after: { leaseRetry: { target: 'renewing', actions: 'leaseRetryTick' } },
            },
          },
        },
      },
    },
  },
})

function leaseRenewIntervalMs(ctx: KubeletContext): number {
  return Math.round(ctx.flags.nodeLeaseDurationSeconds * 250)
}
function leaseRetryMs(ctx: KubeletContext): number {
  return Math.min(200 * 2 ** Math.max(0, ctx.leaseFailures - 1), 7000)
}
function registerRetryMs(ctx: KubeletContext): number {
  return Math.min(100 * 2 ** Math.max(0, ctx.registerFailures - 1), 7000)
}

export type KubeletMachine = typeof kubeletMachine
