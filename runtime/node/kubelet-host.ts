import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statfsSync, statSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { Kvm, type KV } from '@nats-io/kv'
import type { Msg, NatsConnection, Subscription as NatsSubscription } from '@nats-io/transport-node'
import type { Node, Pod, PodStatus } from 'kubernetes-types/core/v1.js'
import type { Status } from 'kubernetes-types/meta/v1.js'
import type { Subscription } from 'rxjs'
import { createActor, type Actor } from 'xstate'
import { kubeletMachine, type KubeletCommand, type KubeletEvent } from '../../actors/kubelet/kubelet.js'
import { podWorkerMachine, type PodWorkerCommand, type PodWorkerEvent } from '../../actors/kubelet/pod-worker.js'
import { FOLLOW_KEEPALIVE_MS, FOLLOW_POLL_MS, type LogsReply, type LogsRequest, type LogsStreamMessage, decode, encode, encodeToken, failureStatus, isApiError, kubeletSubject, LEASE_BUCKET, type ApiRequest, type ApiResponse } from '../../events/index.js'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import { ProcessDriver, type ContainerDriver, type DriverEvent } from '../container-runtime/process-driver.js'
import { logger, type Logger } from '../log.js'
import type { Informer, ObjectChange } from '../projections/types.js'
import { inspectActor, type Inspection } from '../inspect/inspection.js'

export { FOLLOW_KEEPALIVE_MS, FOLLOW_POLL_MS, type LogsReply, type LogsRequest, type LogsStreamMessage } from '../../events/index.js'

export interface KubeletDeps {
  nodeName: string
  /** This process's inspection (absent in the in-memory simulation). */
  inspection?: Inspection
  api: ApiClient
  /** All pods; this kubelet runs those with `spec.nodeName === nodeName`. */
  pods: Informer<Pod>
  /** Nodes, to notice when the API's copy of this Node disagrees with what the kubelet posted. */
  nodes?: Informer<Node>
  nc: NatsConnection
  clock: Clock
  /** The node's directory: `pods/<ns>_<name>_<uid>/<container>.log`, `pids/`. */
  dataDir: string
  /** Where the API answers, for the containers' KUBERNETES_* variables. */
  apiHost: string
  apiPort: number
  /** Default: os.cpus().length, os.totalmem(), 110. */
  capacity?: { cpu?: string; memory?: string; pods?: string }
  driver?: ContainerDriver
  /** The kubelet's lines go out as `kubelet/<node>`, a pod worker's as `kubelet/<node>/pod/<ns>/<name>`. */
  log: Logger
  flags?: { nodeStatusUpdateFrequencyMs?: number; nodeStatusReportFrequencyMs?: number; nodeLeaseDurationSeconds?: number }
  /** InternalIP of the node (and podIP of its pods: containers share the host network). Default: 127.0.0.1 when the API is on loopback, else the first external IPv4. */
  nodeIP?: string
}

export interface KubeletHost {
  stop(): Promise<void>
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }
const readOr = (path: string, fallback = '') => {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return fallback
  }
}

function defaultNodeIP(apiHost: string): string {
  if (/^(127\.|localhost$|::1$)/.test(apiHost)) return '127.0.0.1'
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return '127.0.0.1'
}

function nodeCapacity(deps: KubeletDeps): Record<string, string> {
  const cap: Record<string, string> = {
    cpu: deps.capacity?.cpu ?? String(os.cpus().length),
    memory: deps.capacity?.memory ?? `${Math.floor(os.totalmem() / 1024)}Ki`,
    pods: deps.capacity?.pods ?? '110',
  }
  try {
    const fs = statfsSync(deps.dataDir)
    cap['ephemeral-storage'] = `${Math.floor((fs.blocks * fs.bsize) / 1024)}Ki`
  } catch {
    // not reported
  }
  return cap
}

/** The pod's key in the informer and in log requests. */
const podKey = (ns: string, name: string) => `${ns}/${name}`
const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'

interface Worker {
  id: string
  uid: string
  namespace: string
  name: string
  actor: Actor<typeof podWorkerMachine>
  log: Logger
  podDir: string
  containers: string[]
  writer: PodWriter
  /** The status this kubelet last reported, re-posted when another writer overrides it. */
  reported?: PodStatus
  /** Grace period of the last DELETE_REQUESTED sent, so repeats of the same deletion are not resent. */
  deletionGrace?: number
}

/**
 * Serialises one pod's writes: status updates coalesce to the latest, in order, and the final
 * delete goes after them. A failed write is retried with back-off (1 s doubling to 30 s); 404 and
 * 409 end it (the pod is gone, or another pod now holds the name).
 */
class PodWriter {
  private status?: { status: PodStatus; cause?: number }
  private deleteUid?: string
  private deleteCause?: number
  private busy = false
  closed = false

  constructor(
    private readonly ns: string,
    private readonly name: string,
    private readonly request: (req: ApiRequest, cause?: number) => Promise<ApiResponse>,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly log: Logger,
  ) {}

  putStatus(status: PodStatus, cause?: number): void {
    this.status = { status, cause }
    void this.drain()
  }
  confirmDeletion(uid: string, cause?: number): void {
    this.deleteUid = uid
    this.deleteCause = cause
    void this.drain()
  }

  private async drain(): Promise<void> {
    if (this.busy) return
    this.busy = true
    let delay = 1000
    try {
      while (!this.closed && (this.status || this.deleteUid)) {
        const s = this.status
        const req: ApiRequest = s
          ? { verb: 'updateStatus', resource: 'pods', namespace: this.ns, name: this.name, status: s.status }
          : { verb: 'delete', resource: 'pods', namespace: this.ns, name: this.name, gracePeriodSeconds: 0, uid: this.deleteUid }
        if (s) this.status = undefined
        const res = await this.request(req, s ? s.cause : this.deleteCause)
        const code = res.ok ? 200 : (res.status.code ?? 500)
        if (res.ok || code === 404 || code === 409 || (code >= 400 && code < 500 && code !== 429)) {
          if (!res.ok) this.log[code === 404 || code === 409 ? 'info' : 'error'](`${req.verb} refused`, { code, reason: res.status.message })
          else if (req.verb === 'delete') this.log.info('deletion confirmed')
          if (req.verb === 'delete') this.deleteUid = undefined
          if (code === 404) this.status = undefined
          delay = 1000
          continue
        }
        this.log.warn(`${req.verb} failed, retrying`, { code, reason: res.status.message, inMs: delay })
        if (s && !this.status) this.status = s
        await this.sleep(delay)
        delay = Math.min(delay * 2, 30_000)
      }
    } finally {
      this.busy = false
    }
  }
}

/**
 * Runs one node's kubelet: the node machine (registration, status, lease), one pod worker per pod
 * bound here, the container driver, and the pod-logs endpoint. Informer changes and driver
 * callbacks become machine events stamped with `clock.now()`; emitted commands become API
 * requests, KV puts and driver calls, whose results come back as events.
 */
export async function startKubelet(deps: KubeletDeps): Promise<KubeletHost> {
  const { nodeName, api, pods, nc, clock, dataDir } = deps
  const kubeletId = `kubelet/${nodeName}`
  const log = deps.log.id === '' ? logger(kubeletId) : deps.log.id === kubeletId ? deps.log : deps.log.child(kubeletId)
  const nodeUser = `system:node:${nodeName}`
  mkdirSync(join(dataDir, 'pods'), { recursive: true })
  const driver = deps.driver ?? new ProcessDriver({ dataDir, apiHost: deps.apiHost, apiPort: deps.apiPort, log })
  await driver.reapOrphans()

  let stopped = false
  const timers = new Set<unknown>()
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = clock.setTimeout(() => (timers.delete(t), resolve()), ms)
      timers.add(t)
    })

  async function request(req: ApiRequest, cause?: number): Promise<ApiResponse> {
    try {
      return await api.request(req, { user: nodeUser, ...(cause !== undefined && cause > 0 ? { cause } : {}) })
    } catch (e) {
      if (isApiError(e)) return { ok: false, status: e.status }
      return { ok: false, status: failureStatus('ServiceUnavailable', (e as Error).message) }
    }
  }

  // ---- the lease bucket (created by the control plane; created here only if missing and allowed)
  let leases: KV | undefined
  async function leaseBucket(): Promise<KV> {
    if (leases) return leases
    const kvm = new Kvm(nc)
    const kv = await kvm.open(LEASE_BUCKET)
    try {
      await kv.status()
      leases = kv
    } catch {
      leases = await kvm.create(LEASE_BUCKET, { history: 1 })
    }
    return leases
  }

  // ---- the node machine
  const nodeIP = deps.nodeIP ?? defaultNodeIP(deps.apiHost)
  const kubelet = inspectActor(deps.inspection, createActor(kubeletMachine, {
    id: kubeletId,
    clock,
    input: {
      nodeName,
      capacity: nodeCapacity(deps),
      nodeInfo: {
        operatingSystem: os.platform(),
        architecture: ARCH[os.arch()] ?? os.arch(),
        osImage: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readOr('/etc/os-release'))?.[1] ?? `${os.type()} ${os.release()}`,
        kernelVersion: os.release(),
        machineID: readOr('/etc/machine-id'),
        systemUUID: readOr('/sys/class/dmi/id/product_uuid'),
        bootID: readOr('/proc/sys/kernel/random/boot_id'),
      },
      addresses: [
        { type: 'InternalIP', address: nodeIP },
        { type: 'Hostname', address: nodeName },
      ],
      flags: deps.flags,
      at: clock.now(),
    },
  }), { id: kubeletId })
  const toKubelet = (e: KubeletEvent) => {
    if (stopped) return
    if (e.type.endsWith('FAILED')) log.warn(e.type, { message: 'message' in e ? e.message : undefined })
    else log.debug(e.type)
    kubelet.send(e)
  }

  async function runKubelet(cmd: KubeletCommand): Promise<void> {
    switch (cmd.type) {
      case 'RegisterNode': {
        log.info('registering node')
        const created = await request({ verb: 'create', resource: 'nodes', object: cmd.node })
        if (!created.ok && created.status.reason !== 'AlreadyExists') return toKubelet({ type: 'REGISTER_FAILED', at: clock.now(), message: created.status.message ?? String(created.status.code) })
        const res = await request({ verb: 'updateStatus', resource: 'nodes', name: nodeName, status: cmd.node.status })
        if (!res.ok) return toKubelet({ type: 'REGISTER_FAILED', at: clock.now(), message: res.status.message ?? String(res.status.code) })
        const uid = (res.object as { metadata?: { uid?: string } } | undefined)?.metadata?.uid
        log.info(created.ok ? 'node registered' : 'node already registered', { uid })
        return toKubelet({ type: 'REGISTERED', at: clock.now(), ...(uid ? { nodeUid: uid } : {}) })
      }
      case 'UpdateNodeStatus': {
        const res = await request({ verb: 'updateStatus', resource: 'nodes', name: nodeName, status: cmd.status })
        if (res.ok) return toKubelet({ type: 'NODE_STATUS_POSTED', at: clock.now() })
        return toKubelet({ type: 'NODE_STATUS_FAILED', at: clock.now(), message: res.status.message ?? '', notFound: res.status.code === 404 })
      }
      case 'RenewLease': {
        try {
          await (await leaseBucket()).put(encodeToken(nodeName), encode(cmd.lease))
          return toKubelet({ type: 'LEASE_RENEWED', at: clock.now() })
        } catch (e) {
          return toKubelet({ type: 'LEASE_FAILED', at: clock.now(), message: (e as Error).message })
        }
      }
    }
  }
  kubelet.on('*', (cmd) => {
    log.debug(cmd.type)
    runKubelet(cmd).catch((e) => log.error('command failed', { command: cmd.type, error: e }))
  })

  // ---- pod workers
  const workers = new Map<string, Worker>() // by uid
  const byName = new Map<string, Worker>() // newest worker of a namespace/name
  const byContainer = new Map<string, Worker>() // live container attempts

  const toWorker = (w: Worker, e: PodWorkerEvent) => {
    if (stopped || w.actor.getSnapshot().status !== 'active') return
    w.log.info(e.type, 'containerId' in e ? { container: e.containerId } : 'gracePeriodSeconds' in e ? { grace: e.gracePeriodSeconds } : undefined)
    w.actor.send(e)
  }

  function runPodCommand(w: Worker, cmd: PodWorkerCommand): void {
    switch (cmd.type) {
      case 'Spawn': {
        w.log.info('starting container', { container: cmd.name, id: cmd.containerId })
        byContainer.set(cmd.containerId, w)
        const { type: _, ...req } = cmd
        return driver.spawn(req)
      }
      case 'Signal':
        w.log.info('signalling container', { id: cmd.containerId, signal: cmd.signal })
        return driver.signal(cmd.containerId, cmd.signal)
      case 'ReportStatus':
        w.log.info('status', { phase: cmd.status.phase })
        w.reported = cmd.status
        return w.writer.putStatus(cmd.status, cmd.cause)
      case 'PodTerminated':
        w.log.info('all containers stopped; confirming deletion')
        return w.writer.confirmDeletion(cmd.uid, cmd.cause)
    }
  }

  function startWorker(pod: Pod, rev: number): Worker {
    const ns = pod.metadata?.namespace ?? 'default'
    const name = pod.metadata?.name ?? ''
    const uid = pod.metadata?.uid ?? `${ns}_${name}`
    const id = `${kubeletId}/pod/${ns}/${name}`
    const podDir = join(dataDir, 'pods', `${ns}_${name}_${uid}`)
    mkdirSync(podDir, { recursive: true })
    const wlog = deps.log.id === '' || deps.log.id === kubeletId ? logger(id) : deps.log.child(id)
    const actor = inspectActor(deps.inspection, createActor(podWorkerMachine, { id, clock, input: { pod, nodeName, hostIP: nodeIP, podDir, at: clock.now() } }), { id })
    const writer = new PodWriter(ns, name, request, sleep, wlog)
    const w: Worker = { id, uid, namespace: ns, name, actor, log: wlog, podDir, containers: (pod.spec?.containers ?? []).map((c) => c.name), writer }
    workers.set(uid, w)
    byName.set(podKey(ns, name), w)
    actor.on('*', (cmd) => runPodCommand(w, cmd))
    actor.subscribe({
      next: (s) => {
        if (s.status !== 'done') return
        workers.delete(uid)
        if (byName.get(podKey(ns, name)) === w) byName.delete(podKey(ns, name))
        // Every process has exited and the pod is being removed: its logs go with it, as on a real node.
        rmSync(podDir, { recursive: true, force: true })
      },
      error: (e) => wlog.error('pod worker failed', { error: e }),
    })
    actor.start()
    toWorker(w, { type: 'START', at: clock.now(), ...(rev > 0 ? { rev } : {}) })
    return w
  }

  function onPodChange(ch: ObjectChange<Pod>): void {
    const pod = ch.object
    const uid = pod.metadata?.uid
    const existing = uid ? workers.get(uid) : undefined
    const mine = pod.spec?.nodeName === nodeName
    if (ch.type === 'DELETED' || !mine) {
      if (existing) toWorker(existing, { type: 'POD_GONE', at: clock.now() })
      return
    }
    const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null
    let w = existing
    if (!w) {
      if (isTerminal(pod)) {
        // Finished before this kubelet saw it (e.g. before a restart): nothing runs; confirm a deletion.
        if (deleting && uid) new PodWriter(pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', request, sleep, log).confirmDeletion(uid, ch.rev)
        return
      }
      w = startWorker(pod, ch.rev)
    }
    // The status manager's sync: another writer (the node controller's MarkPodsNotReady while the
    // node looked dead) overrode the status this kubelet reported; its own view is posted again.
    if (!deleting && w.reported && ch.event?.type === 'PodStatusUpdated' && ch.event.by !== nodeUser) void w.writer.putStatus(w.reported, ch.rev)
    if (deleting) {
      const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
      if (w.deletionGrace === undefined || grace < w.deletionGrace) {
        w.deletionGrace = grace
        toWorker(w, { type: 'DELETE_REQUESTED', gracePeriodSeconds: grace, at: clock.now(), rev: ch.rev })
      }
    }
  }

  const offDriver = driver.onEvent((e: DriverEvent) => {
    const w = byContainer.get(e.containerId)
    if (!w) return
    if (e.type !== 'STARTED') byContainer.delete(e.containerId)
    const at = clock.now()
    switch (e.type) {
      case 'STARTED':
        return toWorker(w, { type: 'CONTAINER_STARTED', containerId: e.containerId, pid: e.pid, at })
      case 'EXITED':
        return toWorker(w, { type: 'CONTAINER_EXITED', containerId: e.containerId, exitCode: e.exitCode, signal: e.signal, at })
      case 'SPAWN_FAILED':
        return toWorker(w, { type: 'CONTAINER_SPAWN_FAILED', containerId: e.containerId, message: e.message, at })
    }
  })

  // ---- pod logs
  const follows = new Set<() => void>()
  const maxPayload = () => Math.max(16 * 1024, (nc.info?.max_payload ?? 1024 * 1024) - 4096)

  function containerFinished(w: Worker, container: string): boolean {
    if (!workers.has(w.uid)) return true
    const snap = w.actor.getSnapshot()
    return snap.status !== 'active' || snap.context.containers.find((t) => t.name === container)?.done === true
  }

  function readRange(path: string, from: number, to: number): Buffer {
    const buf = Buffer.alloc(Math.max(0, to - from))
    const fd = openSync(path, 'r')
    try {
      let n = 0
      while (n < buf.length) {
        const r = readSync(fd, buf, n, buf.length - n, from + n)
        if (r === 0) break
        n += r
      }
      return buf.subarray(0, n)
    } finally {
      closeSync(fd)
    }
  }

  function follow(w: Worker, container: string, path: string, offset: number, stream: string): void {
    const decoder = new TextDecoder('utf-8')
    let lastKeepAlive = clock.now()
    let timer: unknown
    const sub: NatsSubscription = nc.subscribe(`${stream}.*`, {
      callback: (_err, m) => {
        if (m.subject.endsWith('.cancel')) end(false)
        else lastKeepAlive = clock.now()
      },
    })
    const publish = (m: LogsStreamMessage) => {
      try {
        nc.publish(stream, encode(m))
      } catch {
        // connection closing
      }
    }
    const end = (announce: boolean) => {
      if (!follows.delete(end2)) return
      clock.clearTimeout(timer)
      timers.delete(timer)
      sub.unsubscribe()
      if (announce) publish({ end: true })
    }
    const end2 = () => end(true)
    follows.add(end2)
    const poll = () => {
      timers.delete(timer)
      let size = offset
      try {
        size = statSync(path).size
      } catch {
        // not there (yet)
      }
      if (size < offset) offset = 0 // truncated
      if (size > offset) {
        const bytes = readRange(path, offset, Math.min(size, offset + maxPayload() - 64))
        offset += bytes.length
        publish({ chunk: decoder.decode(bytes, { stream: true }) })
      } else if (containerFinished(w, container) || clock.now() - lastKeepAlive > FOLLOW_KEEPALIVE_MS) return end(true)
      timer = clock.setTimeout(poll, FOLLOW_POLL_MS)
      timers.add(timer)
    }
    timer = clock.setTimeout(poll, FOLLOW_POLL_MS)
    timers.add(timer)
  }

  function serveLogs(req: LogsRequest): { reply: LogsReply; follow?: () => void } {
    const fail = (reason: 'NotFound' | 'BadRequest', message: string) => ({ reply: { ok: false as const, status: failureStatus(reason, message) } })
    if (typeof req?.namespace !== 'string' || typeof req?.name !== 'string') return fail('BadRequest', 'namespace and name are required')
    const w = byName.get(podKey(req.namespace, req.name))
    if (!w) return fail('NotFound', `pods "${req.name}" not found on node ${nodeName}`)
    const container = req.container ?? (w.containers.length === 1 ? w.containers[0] : undefined)
    if (!container) return fail('BadRequest', `a container name must be specified for pod ${req.name}, choose one of: [${w.containers.join(' ')}]`)
    if (!w.containers.includes(container)) return fail('NotFound', `container ${container} is not valid for pod ${req.name}`)
    const path = join(w.podDir, `${container}.log`)
    if (!existsSync(path)) {
      const t = w.actor.getSnapshot().context.containers.find((c) => c.name === container)
      const reason = t?.state.kind === 'waiting' ? t.state.reason : 'ContainerCreating'
      return fail('BadRequest', `container "${container}" in pod "${req.name}" is waiting to start: ${reason}`)
    }
    const size = statSync(path).size
    const limit = maxPayload()
    let text = readRange(path, Math.max(0, size - limit), size).toString('utf8')
    if (req.tailLines !== undefined && req.tailLines >= 0) {
      const lines = text.split('\n')
      const trailing = lines.at(-1) === '' ? lines.pop() : undefined
      text = lines.slice(Math.max(0, lines.length - req.tailLines)).join('\n') + (trailing !== undefined && req.tailLines > 0 ? '\n' : '')
    }
    const reply: LogsReply = { ok: true, text }
    if (!req.follow) return { reply }
    if (typeof req.stream !== 'string' || req.stream === '') return fail('BadRequest', 'follow needs a stream subject')
    const stream = req.stream
    return { reply, follow: () => follow(w, container, path, size, stream) }
  }

  const logsSub = nc.subscribe(kubeletSubject(nodeName, 'logs'), {
    callback: (_err, msg: Msg) => {
      let out: ReturnType<typeof serveLogs>
      try {
        out = serveLogs(decode<LogsRequest>(msg.data))
      } catch (e) {
        out = { reply: { ok: false, status: failureStatus('BadRequest', `bad logs request: ${(e as Error).message}`) } }
      }
      msg.respond(encode(out.reply))
      out.follow?.()
    },
  })

  // ---- go
  const podSub: Subscription = pods.changes$.subscribe({
    next: (ch) => {
      try {
        onPodChange(ch)
      } catch (e) {
        log.error('pod change not handled', { pod: `${ch.object.metadata?.namespace}/${ch.object.metadata?.name}`, error: e })
      }
    },
  })
  kubelet.start()
  const nodeSub: Subscription | undefined = deps.nodes?.changes$.subscribe((ch) => {
    if (ch.type === 'DELETED' || ch.object.metadata?.name !== deps.nodeName) return
    const ready = ch.object.status?.conditions?.find((c) => c.type === 'Ready')
    if (ready && ready.status !== 'True') kubelet.send({ type: 'NODE_OBJECT_STALE', at: clock.now() })
  })
  log.info('kubelet started', { nodeIP, dataDir })

  return {
    async stop() {
      if (stopped) return
      podSub.unsubscribe()
      nodeSub?.unsubscribe()
      for (const end of [...follows]) end()
      stopped = true
      await logsSub.drain().catch(() => {})
      kubelet.stop()
      for (const w of workers.values()) {
        w.writer.closed = true
        w.actor.stop()
      }
      for (const t of timers) clock.clearTimeout(t)
      timers.clear()
      await driver.stopAll()
      offDriver()
      log.info('kubelet stopped')
    },
  }
}
