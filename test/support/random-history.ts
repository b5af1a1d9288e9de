/**
 * Random but valid-looking event histories for property tests, seeded with pure-rand: a few pods,
 * nodes and ReplicaSets created, bound, updated, tainted, evicted and deleted in random order
 * (reducers must cope with events for absent objects too), with revision gaps where a malformed
 * frame was skipped.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { logSubject, type LogEvent, type Recorded } from '../../events/index.js'


export function randomHistory(seed: number, length: number): Recorded<LogEvent>[] {
  const rng = xoroshiro128plus(seed)
  const int = (a: number, b: number) => uniformInt(rng, a, b)
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]
  const out: Recorded<LogEvent>[] = []
  let rev = 0
  for (let i = 0; i < length; i++) {
    rev += int(0, 9) === 0 ? 2 : 1 // a gap: a malformed frame the tail skipped
    const at = 1_700_000_000_000 + rev * 1_000
    const r = int(0, 9)
    if (r < 6) out.push({ rev, ...podEvent(int, pick, at) })
    else if (r < 9) out.push({ rev, ...nodeEvent(int, pick, at) })
    else out.push({ rev, ...replicaSetEvent(int, pick, at) })
  }
  return out
}

const env = <T extends LogEvent['type']>(type: T, at: number, data: object, by = 'test'): LogEvent => ({ type, v: 1, at, by, data }) as unknown as LogEvent

function podEvent(int: (a: number, b: number) => number, pick: <T>(xs: readonly T[]) => T, at: number): Omit<Recorded<LogEvent>, 'rev'> {
  const name = `p${int(0, 11)}`
  const ns = pick(['default', 'kube-system'])
  const subject = logSubject('pods', ns, name)
  const ts = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const object = () => ({
    apiVersion: 'v1',
    kind: 'Pod',
    // Key order varies on purpose: the content hash must not depend on it.
    metadata: int(0, 1) ? { name, namespace: ns, uid: `uid-${name}-${int(0, 99)}`, labels: { app: pick(['a', 'b']) } } : { labels: { app: pick(['a', 'b']) }, namespace: ns, name, uid: `uid-${name}-${int(0, 99)}` },
    spec: { containers: [{ name: 'c', image: pick(['busybox', 'nginx']), command: ['sleep', String(int(1, 99))] }], restartPolicy: 'Always' },
    status: { phase: 'Pending' },
  })
  switch (int(0, 7)) {
    case 0:
    case 1:
      return { subject, event: env('PodCreated', at, { object: object() }) }
    case 2:
      return { subject, event: env('PodUpdated', at, { object: object() }) }
    case 3:
      return { subject, event: env('PodBound', at, { nodeName: `n${int(0, 4)}` }, 'scheduler') }
    case 4:
      return { subject, event: env('PodStatusUpdated', at, { status: { phase: pick(['Pending', 'Running', 'Succeeded', 'Failed']), podIP: `10.0.0.${int(1, 254)}` } }, 'kubelet') }
    case 5:
      return { subject, event: env('PodDeletionRequested', at, { deletionTimestamp: ts, deletionGracePeriodSeconds: int(0, 30) }) }
    case 6:
      return { subject, event: env('PodEvicted', at, { deletionTimestamp: ts, deletionGracePeriodSeconds: int(0, 30), reason: 'TaintManagerEviction', message: 'evicted' }, 'taint-eviction-controller') }
    default:
      return { subject, event: env('PodDeleted', at, {}) }
  }
}

function nodeEvent(int: (a: number, b: number) => number, pick: <T>(xs: readonly T[]) => T, at: number): Omit<Recorded<LogEvent>, 'rev'> {
  const name = `n${int(0, 4)}`
  const subject = logSubject('nodes', undefined, name)
  const ts = new Date(at).toISOString()
  switch (int(0, 6)) {
    case 0:
    case 1:
      return { subject, event: env('NodeRegistered', at, { object: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { zone: pick(['z1', 'z2']) } }, spec: {} } }) }
    case 2:
      return {
        subject,
        event: env('NodeStatusUpdated', at, {
          status: {
            capacity: { cpu: pick(['2', '4']) },
            conditions: [{ type: 'Ready', status: pick(['True', 'False']), lastHeartbeatTime: ts }, ...(int(0, 1) ? [{ type: 'MemoryPressure', status: pick(['True', 'False']) }] : [])],
          },
        }),
      }
    case 3:
      return { subject, event: env('NodeConditionChanged', at, { conditions: [{ type: pick(['Ready', 'DiskPressure']), status: 'Unknown', reason: 'NodeStatusUnknown', lastTransitionTime: ts }], reason: 'NodeStatusUnknown' }) }
    case 4:
      return { subject, event: env('NodeTainted', at, { taint: { key: pick(['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready']), effect: 'NoExecute', timeAdded: ts } }) }
    case 5:
      return { subject, event: env('NodeUntainted', at, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }) }
    default:
      return { subject, event: env('NodeDeleted', at, {}) }
  }
}

function replicaSetEvent(int: (a: number, b: number) => number, pick: <T>(xs: readonly T[]) => T, at: number): Omit<Recorded<LogEvent>, 'rev'> {
  const name = `rs${int(0, 2)}`
  const subject = logSubject('replicasets', 'default', name)
  const object = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', generation: 1 }, spec: { replicas: int(0, 5), selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }
  switch (int(0, 4)) {
    case 0:
      return { subject, event: env('ReplicaSetCreated', at, { object }) }
    case 1:
      return { subject, event: env('ReplicaSetScaled', at, { replicas: int(0, 9) }) }
    case 2:
      return { subject, event: env('ReplicaSetStatusUpdated', at, { status: { replicas: int(0, 5), readyReplicas: int(0, 5) } }) }
    case 3:
      return { subject, event: env('ReplicaSetUpdated', at, { object: { ...object, metadata: { ...object.metadata, labels: { v: pick(['1', '2']) } } } }) }
    default:
      return { subject, event: env('ReplicaSetDeleted', at, {}) }
  }
}
