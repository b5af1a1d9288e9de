/**
 * `kubectl get pods` rows: a port of printPod in kubernetes pkg/printers/internalversion/printers.go
 * (the table the api-server sends kubectl), including sidecar (restartable init) containers.
 */
import type { Container, Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import { humanDuration, parseTimestamp, translateTimestampSince } from './age.js'

export interface PodRowOptions {
  /** `-o wide`: adds IP, NODE, NOMINATED NODE, READINESS GATES. */
  wide?: boolean
  /** `-A`: a NAMESPACE cell first. */
  allNamespaces?: boolean
}

/** Reason the node lifecycle controller gives a pod on an unreachable node (node.NodeUnreachablePodReason). */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost'

export function podHeaders(wide: boolean, allNamespaces: boolean): string[] {
  const headers = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']
  if (wide) headers.push('IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES')
  return allNamespaces ? ['NAMESPACE', ...headers] : headers
}

export function podRow(pod: Pod, now: number, { wide = false, allNamespaces = false }: PodRowOptions = {}): string[] {
  const { ready, total, reason, restarts, lastRestart } = podStatusSummary(pod)
  let restartsCell = String(restarts)
  if (restarts !== 0 && lastRestart !== undefined) restartsCell = `${restarts} (${humanDuration(now - lastRestart)} ago)`

  const row = [pod.metadata?.name ?? '', `${ready}/${total}`, reason, restartsCell, translateTimestampSince(pod.metadata?.creationTimestamp, now)]
  if (wide) {
    const status = pod.status ?? {}
    row.push(
      status.podIPs?.[0]?.ip || status.podIP || '<none>',
      pod.spec?.nodeName || '<none>',
      status.nominatedNodeName || '<none>',
      readinessGates(pod),
    )
  }
  return allNamespaces ? [pod.metadata?.namespace ?? '', ...row] : row
}

export interface PodStatusSummary {
  ready: number
  total: number
  /** The STATUS column. */
  reason: string
  restarts: number
  /** Epoch ms of the latest counted container termination, if any. */
  lastRestart: number | undefined
}

/** READY, STATUS and RESTARTS of a pod, in printPod's order of precedence. */
export function podStatusSummary(pod: Pod): PodStatusSummary {
  const spec = pod.spec
  const status = pod.status ?? {}
  let restarts = 0
  let sidecarRestarts = 0
  let total = spec?.containers?.length ?? 0
  let ready = 0
  let lastRestart: number | undefined
  let lastSidecarRestart: number | undefined

  const phase = status.phase ?? ''
  let reason: string = status.reason || phase
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated'
  }

  const initContainers = new Map<string, Container>()
  for (const c of spec?.initContainers ?? []) {
    initContainers.set(c.name, c)
    if (isRestartable(c)) total++
  }

  let initializing = false
  const initStatuses = status.initContainerStatuses ?? []
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]
    restarts += c.restartCount ?? 0
    const finished = parseTimestamp(c.lastState?.terminated?.finishedAt)
    if (finished !== undefined && (lastRestart === undefined || lastRestart < finished)) lastRestart = finished
    const sidecar = isRestartable(initContainers.get(c.name))
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0
      if (finished !== undefined && (lastSidecarRestart === undefined || lastSidecarRestart < finished)) lastSidecarRestart = finished
    }
    const terminated = c.state?.terminated
    const waiting = c.state?.waiting
    if (terminated && (terminated.exitCode ?? 0) === 0) continue
    if (sidecar && c.started === true) {
      if (c.ready) ready++
      continue
    }
    if (terminated) {
      // initialization failed
      if (terminated.reason) reason = `Init:${terminated.reason}`
      else reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`
    } else {
      reason = `Init:${i}/${spec?.initContainers?.length ?? 0}`
    }
    initializing = true
    break
  }

  if (!initializing || isPodInitializedConditionTrue(status.conditions)) {
    restarts = sidecarRestarts
    lastRestart = lastSidecarRestart
    let hasRunning = false
    const statuses = status.containerStatuses ?? []
    // Backwards, so the first container with a reason decides the STATUS.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]
      restarts += c.restartCount ?? 0
      const finished = parseTimestamp(c.lastState?.terminated?.finishedAt)
      if (finished !== undefined && (lastRestart === undefined || lastRestart < finished)) lastRestart = finished
      const { waiting, terminated, running } = c.state ?? {}
      if (waiting?.reason) reason = waiting.reason
      else if (terminated?.reason) reason = terminated.reason
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`
      else if (c.ready && running) {
        hasRunning = true
        ready++
      }
    }
    // Back to Running if a container still runs after another completed.
    if (reason === 'Completed' && hasRunning) {
      reason = hasPodReadyCondition(status.conditions) ? 'Running' : 'NotReady'
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown'
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating'

  return { ready, total, reason, restarts, lastRestart }
}

/** A sidecar: an init container with restartPolicy Always. */
function isRestartable(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always'
}

function hasPodReadyCondition(conditions: PodCondition[] | undefined): boolean {
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

/** The first Initialized condition decides. */
function isPodInitializedConditionTrue(conditions: PodCondition[] | undefined): boolean {
  return conditions?.find((c) => c.type === 'Initialized')?.status === 'True'
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? []
  if (gates.length === 0) return '<none>'
  const conditions = pod.status?.conditions ?? []
  const trueCount = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length
  return `${trueCount}/${gates.length}`
}
