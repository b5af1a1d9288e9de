/**
 * Kubernetes' defaulting for Pods and Nodes (pkg/apis/core/v1/defaults.go), the Priority
 * plugin's `priority: 0`, and the DefaultTolerationSeconds admission plugin
 * (plugin/pkg/admission/defaulttolerationseconds). Pure: every function returns a new object and
 * leaves its input alone. Fields of the wrong JSON type are left as they are for validation to
 * report.
 */
import type { Node, Pod, Toleration } from 'kubernetes-types/core/v1.js'

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const unset = (x: unknown) => x === undefined || x === null || x === ''

export const DEFAULT_NAMESPACE = 'default'
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler'
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready'
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable'

/**
 * The tag of an image reference as `parsers.ParseImageName` finds it: "latest" when neither a tag
 * nor a digest is given, "" when only a digest is ("busybox@sha256:…").
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@')
  const name = at >= 0 ? image.slice(0, at) : image
  const colon = name.lastIndexOf(':')
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : ''
  if (tag) return tag
  return at >= 0 ? '' : 'latest'
}

/** `SetDefaults_Container`'s pull policy: Always for ":latest" (or no tag), IfNotPresent otherwise. */
export function defaultPullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  // An unparsable reference (here: an empty one) has no tag in Kubernetes either.
  return typeof image === 'string' && image !== '' && imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent'
}

function defaultContainer(c: unknown, hostNetwork: boolean, copyLimits: boolean): unknown {
  if (!isObj(c)) return c
  const out: Obj = { ...c }
  if (unset(out.terminationMessagePath)) out.terminationMessagePath = '/dev/termination-log'
  if (unset(out.terminationMessagePolicy)) out.terminationMessagePolicy = 'File'
  if (unset(out.imagePullPolicy)) out.imagePullPolicy = defaultPullPolicy(out.image)
  if (out.resources === undefined || out.resources === null) out.resources = {}
  // SetDefaults_Pod: requests default to limits, per resource (pods only, not templates).
  if (copyLimits && isObj(out.resources) && isObj(out.resources.limits)) {
    const requests = isObj(out.resources.requests) ? out.resources.requests : {}
    out.resources = { ...out.resources, requests: { ...out.resources.limits, ...requests } }
  }
  if (Array.isArray(out.ports)) {
    out.ports = out.ports.map((p: unknown) => {
      if (!isObj(p)) return p
      const port: Obj = { ...p }
      if (unset(port.protocol)) port.protocol = 'TCP'
      // defaultHostNetworkPorts: with the host's network the container port is the host port.
      if (hostNetwork && (port.hostPort === undefined || port.hostPort === 0)) port.hostPort = port.containerPort
      return port
    })
  }
  return out
}

/** A new Pod with Kubernetes' defaults filled in where the user left a field unset. */
export function defaultPod(pod: Pod): Pod {
  const p = pod as unknown as Obj
  const out: Obj = { ...p }
  if (p.metadata === undefined || p.metadata === null || isObj(p.metadata)) {
    const metadata: Obj = { ...(p.metadata as Obj | undefined) }
    if (unset(metadata.namespace)) metadata.namespace = DEFAULT_NAMESPACE
    out.metadata = metadata
  }
  if (p.spec === undefined || p.spec === null || isObj(p.spec)) out.spec = defaultPodSpec({ ...(p.spec as Obj | undefined) })
  return out as Pod
}

/** `SetDefaults_PodSpec`, `SetDefaults_Pod` and the containers' defaults, on a copy of the spec. */
function defaultPodSpec(spec: Obj): Obj {
  const hostNetwork = spec.hostNetwork === true
  if (unset(spec.dnsPolicy)) spec.dnsPolicy = 'ClusterFirst'
  if (unset(spec.restartPolicy)) spec.restartPolicy = 'Always'
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS
  }
  if (spec.securityContext === undefined || spec.securityContext === null) spec.securityContext = {}
  if (unset(spec.schedulerName)) spec.schedulerName = DEFAULT_SCHEDULER_NAME
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true
  if (spec.priority === undefined || spec.priority === null) spec.priority = 0
  if (Array.isArray(spec.containers)) spec.containers = spec.containers.map((c: unknown) => defaultContainer(c, hostNetwork, true))
  if (Array.isArray(spec.initContainers)) spec.initContainers = spec.initContainers.map((c: unknown) => defaultContainer(c, hostNetwork, true))
  return spec
}

export interface TolerationSeconds {
  /** `--default-not-ready-toleration-seconds`, 300 in Kubernetes. */
  notReadySeconds?: number
  /** `--default-unreachable-toleration-seconds`, 300 in Kubernetes. */
  unreachableSeconds?: number
}

/** Whether a toleration covers `taintKey` with effect NoExecute (empty key/effect match all). */
function toleratesNoExecute(t: Toleration, taintKey: string): boolean {
  return (t.key === taintKey || unset(t.key)) && (t.effect === 'NoExecute' || unset(t.effect))
}

/**
 * DefaultTolerationSeconds: unless the pod already tolerates them, tolerate the not-ready and
 * unreachable NoExecute taints for a bounded time, so a pod leaves a failed node after five
 * minutes instead of at once. Returns a new Pod.
 */
export function addDefaultTolerations(pod: Pod, { notReadySeconds = 300, unreachableSeconds = 300 }: TolerationSeconds = {}): Pod {
  const p = pod as unknown as Obj
  const spec: Obj = isObj(p.spec) ? { ...p.spec } : {}
  if (spec.tolerations !== undefined && spec.tolerations !== null && !Array.isArray(spec.tolerations)) return pod // validation reports it
  const existing = ((spec.tolerations as unknown[] | undefined) ?? []).filter(isObj) as Toleration[]
  const added: Toleration[] = []
  if (!existing.some((t) => toleratesNoExecute(t, TAINT_NODE_NOT_READY))) {
    added.push({ key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReadySeconds })
  }
  if (!existing.some((t) => toleratesNoExecute(t, TAINT_NODE_UNREACHABLE))) {
    added.push({ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachableSeconds })
  }
  if (added.length === 0) return pod
  spec.tolerations = [...((spec.tolerations as unknown[] | undefined) ?? []), ...added]
  return { ...p, spec } as unknown as Pod
}

/** Nodes have little to default: `spec` and `status` exist, allocatable defaults to capacity. */
export function defaultNode(node: Node): Node {
  const n = node as unknown as Obj
  const metadata: Obj = isObj(n.metadata) ? { ...n.metadata } : {}
  // A spec or status of the wrong type is kept for validation to report.
  const spec = n.spec === undefined || n.spec === null ? {} : isObj(n.spec) ? { ...n.spec } : n.spec
  const status = n.status === undefined || n.status === null ? {} : isObj(n.status) ? { ...n.status } : n.status
  // SetDefaults_NodeStatus: allocatable defaults to capacity.
  if (isObj(status) && isObj(status.capacity) && (status.allocatable === undefined || status.allocatable === null)) {
    status.allocatable = { ...status.capacity }
  }
  return { ...n, metadata, spec, status } as unknown as Node
}
