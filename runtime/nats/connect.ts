import { connect, type NatsConnection } from '@nats-io/transport-node'
import { faultyConnection } from '../bus/faulty-connection.js'

export interface NatsTarget {
  /** `nats://host:port`, optionally with `user:password@` (kstate node --nats-url). */
  url: string
  user?: string
  pass?: string
}

/** Splits credentials out of a URL: nats.js takes them as options, and they must never be logged. */
export function parseNatsUrl(raw: string): NatsTarget {
  const u = new URL(raw.includes('://') ? raw : `nats://${raw}`)
  const user = u.username ? decodeURIComponent(u.username) : undefined
  const pass = u.password ? decodeURIComponent(u.password) : undefined
  return { url: `${u.protocol}//${u.hostname}:${u.port || 4222}`, user, pass }
}

/** The URL as safe to print: credentials removed. */
export function redactNatsUrl(raw: string): string {
  return parseNatsUrl(raw).url
}

/** The process a connection belongs to, by the name kstate gives it: `kstate-control-plane`, `kstate-node-<name>`; clients have none. */
export function processOfConnection(name: string): string | undefined {
  if (name === 'kstate-control-plane') return 'control-plane'
  return name.startsWith('kstate-node-') ? name.slice('kstate-node-'.length) : undefined
}

/** Connects; the control plane's and nodes' connections go through the faulty bus (chaos faults; a no-op while none is injected). */
export async function connectNats(target: NatsTarget, name: string): Promise<NatsConnection> {
  const nc = await connect({
    servers: target.url,
    user: target.user,
    pass: target.pass,
    name,
    // A restarting nats-server (fault injection, restarts) must not end the process.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // nats.js otherwise builds a RequestError and a TimeoutError, stack included, for every request
    // and JetStream publish in case it fails: measured at ~5% of the api-server's CPU under writes.
    noAsyncTraces: true,
  })
  const process = processOfConnection(name)
  return process === undefined ? nc : faultyConnection(nc, process)
}
