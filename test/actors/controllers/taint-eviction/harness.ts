import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import { createActor } from 'xstate'
import {
  EVICTION_MESSAGE,
  EVICTION_REASON,
  lookup,
  taintEvictionMachine,
  taintId,
  type EvictPod,
  type TaintEvictionConfig,
} from '../../../../actors/controllers/taint-eviction/taint-eviction.js'
import { VirtualClock } from '../../../../runtime/clock/virtual-clock.js'

export const NOT_READY = 'node.kubernetes.io/not-ready'
export const UNREACHABLE = 'node.kubernetes.io/unreachable'
export const START = Date.parse('2024-05-01T00:00:00Z')
export const SECOND = 1000

/** RFC 3339 without fractions, as `metav1.Time` serializes. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** The tolerations admission adds to every pod (`addDefaultTolerations`). */
export const defaultTolerations = (seconds = 300): Toleration[] => [
  { key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds },
  { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds },
]

export function node(name: string, taints: Taint[] = []): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-node-${name}` }, spec: taints.length ? { taints } : {} }
}

export interface PodOpts {
  node?: string
  tolerations?: Toleration[]
  uid?: string
  deleting?: boolean
  phase?: string
}

export function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: o.uid ?? `uid-${name}`, ...(o.deleting ? { deletionTimestamp: rfc3339(START), deletionGracePeriodSeconds: 30 } : {}) },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(o.node ? { nodeName: o.node } : {}), tolerations: o.tolerations ?? defaultTolerations() },
    status: { phase: o.phase ?? 'Running' },
  }
}

export const evictPod = (name: string, nodeName: string, taint: string, cause: number, uid = `uid-${name}`): EvictPod => ({
  type: 'EvictPod',
  namespace: 'default',
  name,
  uid,
  nodeName,
  taint: { key: taint, effect: 'NoExecute' },
  cause,
  reason: EVICTION_REASON,
  message: EVICTION_MESSAGE,
})

/**
 * The machine on a virtual clock, fed as the host feeds it. Node helpers keep each node's taints
 * and send the node as the informer would after a `NodeTainted` (with its revision in `taintRevs`),
 * `NodeUntainted` or `NodeUpdated` event. Every helper returns the revision it used.
 */
export function harness(config?: Partial<TaintEvictionConfig>) {
  const clock = new VirtualClock(START)
  const actor = createActor(taintEvictionMachine, { clock, input: config })
  const commands: EvictPod[] = []
  actor.on('*', (c) => commands.push(c))
  actor.start()
  let rev = 100
  const taints = new Map<string, Taint[]>()
  const sendNode = (name: string, taintRevs?: Record<string, number>) =>
    actor.send({ type: 'NODE_UPSERTED', node: node(name, taints.get(name)), rev, now: clock.now(), ...(taintRevs ? { taintRevs } : {}) })

  const h = {
    clock,
    actor,
    commands,
    ctx: () => actor.getSnapshot().context,
    eviction: (key: string) => lookup(actor.getSnapshot().context.evictions, key),
    /** Commands emitted since the last call. */
    take: () => commands.splice(0, commands.length),
    /** Advances the clock to `seconds` after START. */
    at: (seconds: number) => clock.advanceTo(START + seconds * SECOND),
    /** A node as registered (or updated by a user), with these taints. */
    node: (name: string, ts: Taint[] = []) => {
      rev += 1
      taints.set(name, ts)
      sendNode(name)
      return rev
    },
    /** `NodeTainted`: adds (or replaces) `taint`, replacing `replaced` when given. */
    taint: (name: string, taint: Taint, replaced?: string) => {
      rev += 1
      const kept = (taints.get(name) ?? []).filter((t) => taintId(t) !== taintId(taint) && !(replaced && t.key === replaced && t.effect === taint.effect))
      taints.set(name, [...kept, taint])
      sendNode(name, { [taintId(taint)]: rev })
      return rev
    },
    /** `NodeUntainted`. */
    untaint: (name: string, key: string, effect = 'NoExecute') => {
      rev += 1
      taints.set(name, (taints.get(name) ?? []).filter((t) => !(t.key === key && t.effect === effect)))
      sendNode(name)
      return rev
    },
    /** A node change that leaves the taints alone (status, heartbeat). */
    touch: (name: string) => {
      rev += 1
      sendNode(name)
      return rev
    },
    pod: (p: Pod) => actor.send({ type: 'POD_UPSERTED', pod: p, now: clock.now() }),
    /** A NoExecute taint added now (`timeAdded` as the node controller sets it). */
    noExecute: (key: string, timeAdded = clock.now()): Taint => ({ key, effect: 'NoExecute', timeAdded: rfc3339(timeAdded) }),
  }
  return h
}
