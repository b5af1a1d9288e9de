/**
 * Fast history generation for the replay and restart benchmarks: a realistic event log published
 * straight to the log stream with the codec (no api-server), thousands of appends in flight.
 * Each pod lives as the control plane records it: PodCreated (admitted: defaults, tolerations),
 * PodBound, PodStatusUpdated (ContainerCreating), PodStatusUpdated (Running); a fraction is then
 * deleted (PodDeletionRequested, PodDeleted). Nodes register and report status now and then.
 */
import type { JetStreamClient } from '@nats-io/jetstream'
import { encodeEvent, logSubject, type LogEvent } from '../events/index.js'

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

function podObject(i: number, at: number) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'default', uid: `5f0c1a2e-0000-4000-8000-${String(i).padStart(12, '0')}`, labels: { app: `app-${i % 10}` }, creationTimestamp: iso(at) },
    spec: {
      containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '100m', memory: '64Mi' } }, imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  }
}

function podStatus(i: number, at: number, running: boolean) {
  const t = iso(at)
  return {
    phase: running ? 'Running' : 'Pending',
    qosClass: 'Burstable',
    hostIP: `10.1.${(i >> 8) & 255}.${i & 255}`,
    podIP: running ? `10.244.${(i >> 8) & 255}.${i & 255}` : undefined,
    startTime: t,
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
      { type: 'Initialized', status: 'True', lastTransitionTime: t },
      { type: 'ContainersReady', status: running ? 'True' : 'False', lastTransitionTime: t },
      { type: 'Ready', status: running ? 'True' : 'False', lastTransitionTime: t },
    ],
    containerStatuses: [
      running
        ? { name: 'c', ready: true, started: true, restartCount: 0, image: 'busybox', imageID: '', containerID: `kstate://${i}`, state: { running: { startedAt: t } } }
        : { name: 'c', ready: false, started: false, restartCount: 0, image: 'busybox', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } },
    ],
  }
}

function nodeObject(n: number, at: number) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${n}`, labels: { 'kubernetes.io/hostname': `node-${n}`, 'topology.kubernetes.io/zone': `zone-${n % 3}` }, uid: `node-uid-${n}`, creationTimestamp: iso(at) },
    spec: {},
    status: {
      capacity: { cpu: '64', memory: '256Gi', pods: '1100' },
      allocatable: { cpu: '64', memory: '256Gi', pods: '1100' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: iso(at), lastTransitionTime: iso(at) }],
    },
  }
}

/** The history as (subject, event) pairs, in log order. */
export function* lifecycleHistory(o: { pods: number; nodes: number; deleteEvery?: number }): Generator<[string, LogEvent]> {
  let at = T0
  const ev = (type: LogEvent['type'], by: string, data: object): LogEvent => ({ type, v: 1, at: (at += 3), by, data }) as LogEvent
  for (let n = 0; n < o.nodes; n++) yield [logSubject('nodes', undefined, `node-${n}`), ev('NodeRegistered', `kubelet/node-${n}`, { object: nodeObject(n, at) })]
  // Pods move through their lifecycle in waves of 100, as a busy cluster's log interleaves them.
  const WAVE = 100
  for (let w = 0; w < o.pods; w += WAVE) {
    const ids = Array.from({ length: Math.min(WAVE, o.pods - w) }, (_, k) => w + k)
    const subject = (i: number) => logSubject('pods', 'default', `pod-${i}`)
    const node = (i: number) => `node-${i % o.nodes}`
    for (const i of ids) yield [subject(i), ev('PodCreated', 'user:admin', { object: podObject(i, at) })]
    for (const i of ids) yield [subject(i), ev('PodBound', 'scheduler', { nodeName: node(i) })]
    for (const i of ids) yield [subject(i), ev('PodStatusUpdated', `kubelet/${node(i)}`, { status: podStatus(i, at, false) })]
    for (const i of ids) yield [subject(i), ev('PodStatusUpdated', `kubelet/${node(i)}`, { status: podStatus(i, at, true) })]
    if (o.deleteEvery) {
      const doomed = ids.filter((i) => i % o.deleteEvery! === 0)
      for (const i of doomed) yield [subject(i), ev('PodDeletionRequested', 'user:admin', { deletionTimestamp: iso(at), deletionGracePeriodSeconds: 30 })]
      for (const i of doomed) yield [subject(i), ev('PodDeleted', `kubelet/${node(i)}`, {})]
    }
    const n = (w / WAVE) % o.nodes
    yield [logSubject('nodes', undefined, `node-${n}`), ev('NodeStatusUpdated', `kubelet/node-${n}`, { status: nodeObject(n, at).status })]
  }
}

/** Events per pod in `lifecycleHistory`, to size a run by its event count. */
export const eventsPerPod = (deleteEvery?: number) => 4 + (deleteEvery ? 2 / deleteEvery : 0) + 1 / 100

/**
 * Publishes a history to the log stream, `inFlight` appends at a time (no compare-and-set: the
 * history is known to be consistent). Returns the number of events.
 */
export async function publishHistory(js: JetStreamClient, history: Iterable<[string, LogEvent]>, o: { inFlight?: number; onProgress?(n: number): void } = {}): Promise<number> {
  const inFlight = o.inFlight ?? 2_000
  const it = history[Symbol.iterator]()
  let n = 0
  let failed: unknown
  const worker = async () => {
    for (;;) {
      const next = it.next()
      if (next.done || failed) return
      const [subject, event] = next.value
      try {
        await js.publish(subject, encodeEvent(event))
      } catch (e) {
        failed = e
        return
      }
      if (++n % 50_000 === 0) o.onProgress?.(n)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  if (failed) throw failed
  return n
}
