import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import { createActor } from 'xstate'
import {
  lookup,
  replicaSetControllerMachine,
  tallyPods,
  tableValues,
  type CreatePod,
  type ReplicaSetControllerCommand,
  type ReplicaSetControllerConfig,
  type ReplicaSetControllerEvent,
  type SyncState,
} from '../../../../actors/controllers/replicaset/replicaset.js'
import { VirtualClock } from '../../../../runtime/clock/virtual-clock.js'

export const T0 = Date.parse('2024-05-01T12:00:00Z')
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

export interface RsOptions {
  namespace?: string
  uid?: string
  generation?: number
  minReadySeconds?: number
  labels?: Record<string, string>
}

/** A ReplicaSet as the api-server admits it: selector `app=<name>`, template labels to match. */
export function replicaSet(name: string, replicas: number, o: RsOptions = {}): ReplicaSet {
  const labels = o.labels ?? { app: name }
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: o.namespace ?? 'default', uid: o.uid ?? `uid-${name}`, generation: o.generation ?? 1 },
    spec: {
      replicas,
      ...(o.minReadySeconds !== undefined ? { minReadySeconds: o.minReadySeconds } : {}),
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    },
    status: { replicas: 0 },
  }
}

export interface PodOptions {
  namespace?: string
  /** The owning ReplicaSet (its name and uid); `null` for an orphan. */
  owner?: { name: string; uid: string } | null
  labels?: Record<string, string>
  nodeName?: string
  phase?: string
  /** Epoch ms the pod became ready; absent = not ready. */
  readySince?: number
  restarts?: number
  created?: number
  deleting?: boolean
}

/** A pod of `rs` (owner reference to its name and uid) as the informer would show it. */
export function pod(name: string, rsName: string, o: PodOptions = {}): Pod {
  const owner = o.owner === undefined ? { name: rsName, uid: `uid-${rsName}` } : o.owner
  const conditions: PodCondition[] = o.readySince !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: iso(o.readySince) }] : [{ type: 'Ready', status: 'False' }]
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: rsName },
      creationTimestamp: iso(o.created ?? T0),
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0), deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...(o.nodeName ? { nodeName: o.nodeName } : {}) },
    status: {
      phase: o.phase ?? (o.nodeName ? 'Running' : 'Pending'),
      conditions,
      ...(o.restarts !== undefined ? { containerStatuses: [{ name: 'app', image: 'nginx:1.27', imageID: '', ready: o.readySince !== undefined, restartCount: o.restarts }] } : {}),
    },
  }
}

/** The machine on a virtual clock; every external event carries the clock's `now` and is followed by the worker's pass. */
export function harness(config?: Partial<ReplicaSetControllerConfig>) {
  const clock = new VirtualClock(T0)
  const actor = createActor(replicaSetControllerMachine, { clock, input: config })
  const commands: ReplicaSetControllerCommand[] = []
  actor.on('*', (c) => commands.push(c))
  actor.start()
  let rev = 100
  let created = 0
  const h = {
    clock,
    actor,
    commands,
    ctx: () => actor.getSnapshot().context,
    sync: (key: string): SyncState | undefined => lookup(actor.getSnapshot().context.syncs, key),
    /** The kept tally of `key` against one counted from scratch (zero rows ignored): '' when equal. */
    tallyDrift: (key: string): string => {
      const ctx = actor.getSnapshot().context
      const kept = lookup(ctx.tallies, key)
      const pods = tableValues(lookup(ctx.owned, key))
      const fresh = tallyPods(pods, kept?.labels ?? lookup(ctx.replicaSets, key)?.spec?.template?.metadata?.labels ?? {})
      const rows = (t: typeof kept) => JSON.stringify(Object.entries(t?.byUid ?? {}).filter(([, u]) => u.live + u.active + u.ready + u.fullyLabeled > 0).sort())
      const want = lookup(ctx.replicaSets, key)?.spec?.template?.metadata?.labels ?? {}
      if (kept && JSON.stringify(kept.labels) !== JSON.stringify(want) && lookup(ctx.replicaSets, key)) return `labels ${JSON.stringify(kept.labels)} ≠ ${JSON.stringify(want)}`
      return rows(kept) === rows(fresh) ? '' : `kept ${rows(kept)} ≠ counted ${rows(fresh)}`
    },
    /** Sends without running the worker (as events of one tick). */
    post: (e: ReplicaSetControllerEvent) => actor.send({ ...e, now: clock.now() } as ReplicaSetControllerEvent),
    send: (e: ReplicaSetControllerEvent) => {
      h.post(e)
      clock.advance(0)
    },
    nextRev: () => ++rev,
    rs: (r: ReplicaSet) => {
      const at = ++rev
      h.send({ type: 'RS_UPSERTED', rs: r, rev: at })
      return at
    },
    pod: (p: Pod) => {
      const at = ++rev
      h.send({ type: 'POD_UPSERTED', pod: p, rev: at })
      return at
    },
    removePod: (p: Pod) => {
      const at = ++rev
      h.send({ type: 'POD_REMOVED', key: `${p.metadata!.namespace}/${p.metadata!.name}`, pod: p, rev: at })
      return at
    },
    /** Commands emitted since the last call. */
    take: () => commands.splice(0, commands.length),
    /** The pod a `CreatePod` would become once admitted: a name from `generateName`, a uid, Pending. */
    admitted: (cmd: CreatePod): Pod => {
      const name = `${cmd.pod.metadata!.generateName}${++created}`
      return {
        ...cmd.pod,
        metadata: { ...cmd.pod.metadata, name, uid: `uid-${name}`, creationTimestamp: iso(clock.now()) },
        status: { phase: 'Pending' },
      }
    },
  }
  return h
}

export const ofType = <T extends ReplicaSetControllerCommand['type']>(cmds: ReplicaSetControllerCommand[], type: T) =>
  cmds.filter((c): c is Extract<ReplicaSetControllerCommand, { type: T }> => c.type === type)
