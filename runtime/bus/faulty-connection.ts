import type { Msg, MsgCallback, NatsConnection, Payload, PublishOptions, RequestOptions, SubscriptionOptions } from '@nats-io/transport-node'
import { TimeoutError } from '@nats-io/transport-node'
import { CHAOS_SYNC_SUBJECT, CHAOS_TABLE_SUBJECT, decode, type FaultTableMessage } from '../../events/index.js'
import { realClock, type Clock } from '../clock/clock.js'
import { decide, partitioned, PASS, type Verdict } from './decide.js'
import { FaultTable } from './fault-table.js'
import { isExempt, isStreamSubject, receiverOf, senderOf } from './peers.js'

/**
 * The faulty bus: a process's NATS connection with the chaos fault table in front of it. Each
 * message meets the table once: core messages where they are sent (publish, request), stream
 * messages (the log, the lease bucket) where they are delivered, since a JetStream write reaches
 * every reader. Partitions are also checked on stream writes (a partitioned kubelet cannot renew
 * its Lease) and on request replies. A paused actor's input is held in arrival order and delivered
 * when the actor resumes. With an empty table every call goes straight to the connection.
 *
 * Callback subscriptions are faulted (every subscription of kstate and of nats.js's JetStream
 * client is one); iterator subscriptions pass untouched.
 */
export interface FaultyBus {
  /** The process this connection belongs to (`control-plane`, a node's name). */
  readonly process: string
  readonly table: FaultTable
}

export interface FaultyBusOptions {
  random?: () => number
  /** Timers for delays and simulated request timeouts (the real clock at this network edge). */
  clock?: Clock
}

const buses = new WeakMap<NatsConnection, FaultyBus>()
/** The faulty bus behind a connection made by `connectNats`, if any. */
export const busOf = (nc: NatsConnection): FaultyBus | undefined => buses.get(nc)

const DEFAULT_REQUEST_TIMEOUT_MS = 5_000
/** How late a "dropped" stream delivery arrives: about when JetStream would have sent it again. */
const STREAM_REDELIVERY_MS = 1_000

const isPaused = (faults: FaultTable['faults'], actor: string) => faults.some((f) => f.fault.kind === 'pause' && f.fault.actor === actor)

/**
 * One subscription's deliveries, strictly in arrival order: the head waits until it is due and no
 * longer blocked (a paused actor, a partition); everything behind it waits too, as behind a
 * stalled TCP stream.
 */
class Lane {
  private readonly items: { due: number; blocked: () => boolean; deliver: () => void }[] = []
  private timer: unknown
  private unwatch?: () => void

  constructor(
    private readonly clock: Clock,
    private readonly table: FaultTable,
  ) {}

  get empty(): boolean {
    return this.items.length === 0
  }

  push(due: number, blocked: () => boolean, deliver: () => void): void {
    this.items.push({ due, blocked, deliver })
    if (this.items.length === 1) this.pump()
  }

  private pump = (): void => {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    while (this.items.length > 0) {
      const head = this.items[0]
      if (head.blocked()) {
        // Woken by the next table: a resume or a heal.
        this.unwatch ??= this.table.onChange(() => this.pump())
        return
      }
      const wait = head.due - this.clock.now()
      if (wait > 0) {
        this.timer = this.clock.setTimeout(this.pump, wait)
        return
      }
      this.items.shift()
      head.deliver()
    }
    this.unwatch?.()
    this.unwatch = undefined
  }
}

export function faultyConnection(nc: NatsConnection, process: string, o: FaultyBusOptions = {}): NatsConnection {
  const random = o.random ?? Math.random
  const clock = o.clock ?? realClock
  const table = new FaultTable()
  const wait = (ms: number) => new Promise<void>((r) => clock.setTimeout(() => r(), ms))

  const outVerdict = (subject: string): Verdict => {
    if (table.faults.length === 0 || isExempt(subject)) return PASS
    const stream = isStreamSubject(subject)
    // A stream write's peer is whoever reads it: one process only for a Lease (the node controller).
    const peer = stream && !subject.startsWith('$KV.') ? undefined : receiverOf(subject)
    return decide(table.faults, { process, subject, peer, direction: 'out', faultPoint: !stream }, random)
  }

  /**
   * Deliveries to one subscription. Stream deliveries (the log, Leases) are never lost and never
   * reordered here: nats.js's JetStream consumers count what they were sent, and a message hidden
   * from them stalls the consumer until its pull expires (30 s), which no real network does to a
   * TCP connection. So on those, a partition holds messages until it heals, a drop delivers late
   * (JetStream would redeliver), a reorder is a delay. Core messages (requests, kubelet calls) are
   * faulted where they are sent; here only partitions (drop) and pauses (hold) apply.
   */
  const wrapCallback = (cb: MsgCallback<Msg>): MsgCallback<Msg> => {
    const lane = new Lane(clock, table)
    return (err, msg) => {
      if (err || (table.faults.length === 0 && lane.empty) || isExempt(msg.subject)) return cb(err, msg)
      const stream = isStreamSubject(msg.subject)
      const peer = senderOf(msg.subject, process)
      const v = decide(table.faults, { process, subject: msg.subject, peer, direction: 'in', faultPoint: stream }, random)
      if (v.drop && !stream) return
      const deliver = () => {
        cb(null, msg)
        if (v.copies > 0 && !stream) cb(null, msg)
      }
      const delayMs = v.delayMs + (v.drop && !v.partitioned ? STREAM_REDELIVERY_MS : 0)
      const blocked = () =>
        (v.pausedBy !== undefined && isPaused(table.faults, v.pausedBy)) || (v.partitioned === true && peer !== undefined && partitioned(table.faults, peer, process))
      lane.push(clock.now() + delayMs, blocked, deliver)
    }
  }

  const publish = (subject: string, payload?: Payload, options?: PublishOptions): void => {
    const v = outVerdict(subject)
    if (v.drop) return
    const send = () => {
      for (let i = 0; i <= v.copies; i++) nc.publish(subject, payload, options)
    }
    if (v.delayMs > 0) clock.setTimeout(send, v.delayMs)
    else send()
  }

  const request = async (subject: string, payload?: Payload, opts?: RequestOptions): Promise<Msg> => {
    if (table.faults.length === 0) return nc.request(subject, payload, opts)
    const v = outVerdict(subject)
    const lost = v.drop || replyCut(subject)
    if (!lost && v.delayMs === 0 && v.copies === 0) return nc.request(subject, payload, opts)
    const timeout = opts?.timeout ?? DEFAULT_REQUEST_TIMEOUT_MS
    if (lost) {
      // Lost on the way there or back: the caller sees what a lost message looks like, a timeout.
      await wait(timeout)
      throw new TimeoutError()
    }
    if (v.delayMs > 0) await wait(Math.min(v.delayMs, timeout))
    if (v.copies > 0) nc.request(subject, payload, opts).catch(() => {})
    return nc.request(subject, payload, opts)
  }

  /** The reply to a request from this process would cross a partition from its receiver. */
  const replyCut = (subject: string): boolean => {
    const peer = receiverOf(subject)
    return peer !== undefined && table.faults.length > 0 && partitioned(table.faults, peer, process)
  }

  const subscribe = (subject: string, opts?: SubscriptionOptions) =>
    opts?.callback ? nc.subscribe(subject, { ...opts, callback: wrapCallback(opts.callback) }) : nc.subscribe(subject, opts)

  // The table: pushed on every change, asked for once connected and after every reconnect.
  nc.subscribe(CHAOS_TABLE_SUBJECT, {
    callback: (err, m) => {
      if (!err) applyTable(m.data)
    },
  })
  const applyTable = (data: Uint8Array) => {
    try {
      table.set(decode<FaultTableMessage>(data))
    } catch {
      /* a malformed table is ignored: the next one replaces it */
    }
  }
  const sync = () =>
    nc.request(CHAOS_SYNC_SUBJECT, new Uint8Array(), { timeout: 2_000 }).then(
      (m) => applyTable(m.data),
      () => {}, // no chaos controller: no faults
    )
  void sync()
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') void sync()
  })().catch(() => {})

  const overrides: Partial<NatsConnection> = { publish, request, subscribe }
  const proxy = new Proxy(nc, {
    get(target, prop, receiver) {
      if (prop in overrides) return overrides[prop as keyof typeof overrides]
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  buses.set(proxy, { process, table })
  return proxy
}
