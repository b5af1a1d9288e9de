import type { NatsConnection } from '@nats-io/transport-node'
import { randomUUID } from 'node:crypto'
import { CHAOS_CONTROL_SUBJECT, decode, encode, type ActiveFault, type ChaosRequest, type ChaosResponse, type FaultSpec } from '../../events/index.js'
import { readCredentials, readEndpoints } from '../cluster/data-dir.js'
import { connectNats, type NatsTarget } from '../nats/connect.js'
import { ChaosError, ChaosErrorCode, type ChaosErrorCode as Code } from './errors.js'
import { parseFault } from './grammar.js'

/**
 * The typed chaos API, for tests and for `kstate chaos`: requests to the cluster's chaos
 * controller over NATS, as the control plane's user with the admin token (both from the data dir).
 */
export interface ChaosClient {
  /** Injects a fault; resolves with its id once it is in effect. */
  inject(fault: FaultSpec, opts?: { forMs?: number; requestId?: string }): Promise<string>
  /** Injects a fault written as `kstate chaos` words: `partition node-1 --from control-plane --for 5s`. */
  injectWords(words: string | string[]): Promise<string>
  clear(id: string): Promise<void>
  /** Clears every partition; returns the ids cleared. */
  heal(): Promise<string[]>
  /** Clears the pause faults of an actor; returns the ids cleared. */
  resume(actor: string): Promise<string[]>
  list(): Promise<ActiveFault[]>
  close(): Promise<void>
}

export interface ChaosAccess {
  nats: NatsTarget
  adminToken: string
}

/** The chaos access of a cluster started with `kstate up --data-dir DIR`. */
export function chaosAccess(dataDir: string): ChaosAccess {
  const creds = readCredentials(dataDir)
  const { natsUrl } = readEndpoints(dataDir)
  return { nats: { url: natsUrl, user: 'control-plane', pass: creds.controlPlanePassword }, adminToken: creds.adminToken }
}

const LIST_TIMEOUT_MS = 5_000

export async function connectChaos(access: ChaosAccess, by = 'admin', timeoutMs = 30_000): Promise<ChaosClient> {
  const nc: NatsConnection = await connectNats(access.nats, 'kstate-chaos-client')
  // A request sent just before nats-server goes down (restart nats) is lost: a listing gives up
  // soon so the caller can ask again; an injection or a clearing may wait for a process to start.
  const call = async (req: ChaosRequest): Promise<Extract<ChaosResponse, { ok: true }>> => {
    let res: ChaosResponse
    try {
      const timeout = req.op === 'list' ? Math.min(timeoutMs, LIST_TIMEOUT_MS) : timeoutMs
      res = decode<ChaosResponse>((await nc.request(CHAOS_CONTROL_SUBJECT, encode(req), { timeout })).data)
    } catch (e) {
      throw new ChaosError(ChaosErrorCode.Unreachable, `no chaos controller answered the ${req.op} request: ${(e as Error).message}`, { cause: e })
    }
    if (!res.ok) throw new ChaosError(res.code as Code, res.message)
    return res
  }
  const token = access.adminToken
  const client: ChaosClient = {
    async inject(fault, opts = {}) {
      return (await call({ op: 'inject', token, fault, by, requestId: opts.requestId ?? randomUUID(), ...(opts.forMs !== undefined ? { forMs: opts.forMs } : {}) })).id!
    },
    async injectWords(words) {
      const p = parseFault(typeof words === 'string' ? words.split(/\s+/).filter(Boolean) : words)
      return client.inject(p.fault, { forMs: p.forMs })
    },
    async clear(id) {
      await call({ op: 'clear', token, id, by })
    },
    async heal() {
      return (await call({ op: 'heal', token, by })).cleared ?? []
    },
    async resume(actor) {
      const ids = (await client.list()).filter((f) => f.fault.kind === 'pause' && f.fault.actor === actor).map((f) => f.id)
      if (ids.length === 0) throw new ChaosError(ChaosErrorCode.UnknownFault, `${actor} is not paused`)
      for (const id of ids) await client.clear(id)
      return ids
    },
    async list() {
      return (await call({ op: 'list', token })).faults
    },
    async close() {
      await nc.drain().catch(() => {})
    },
  }
  return client
}
