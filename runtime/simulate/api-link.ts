import { failureStatus, logSubject, type ApiRequest, type ApiResponse, type RequestContext } from '../../events/index.js'
import type { ApiClient } from '../api/client.js'
import type { Clock } from '../clock/clock.js'
import type { Ack } from '../invariants/index.js'
import type { SimNetwork } from './network.js'

/** The request timeout of the NATS api client (`natsApiClient`), whose answers this link imitates. */
export const API_TIMEOUT_MS = 10_000
export const API_SERVER = 'api-server'

export interface ApiLinkOptions {
  net: SimNetwork
  clock: Clock
  /** The api-server at the far end. */
  api: ApiClient
  /** This process's endpoint on the network and the user its requests carry. */
  endpoint: string
  user: string
  /** Every successful answer that reaches this client: an acknowledged write. */
  onAck?(ack: Ack): void
}

/** The log subject of the object a successful answer names. */
function subjectOf(req: ApiRequest, res: Extract<ApiResponse, { ok: true }>): string | undefined {
  const meta = (res.object as { metadata?: { name?: string; namespace?: string } } | undefined)?.metadata
  const name = meta?.name ?? ('name' in req ? req.name : undefined)
  if (!name) return undefined
  const ns = req.resource === 'nodes' ? undefined : (meta?.namespace ?? req.namespace ?? 'default')
  return logSubject(req.resource, ns, name)
}

/**
 * An api client whose requests and answers cross the simulated network, as `natsApiClient`'s cross
 * NATS: a lost request or answer, or one delayed past the timeout, comes back as a 504 Timeout
 * after `API_TIMEOUT_MS` — while the write itself may well have happened. A duplicated request is
 * executed twice; only the first answer counts.
 */
export function apiLink(o: ApiLinkOptions): ApiClient {
  const { net, clock, endpoint } = o
  return {
    request(request: ApiRequest, context: Partial<RequestContext> = {}): Promise<ApiResponse> {
      const started = clock.now()
      return new Promise((resolve) => {
        let done = false
        let timer: unknown
        const answer = (res: ApiResponse) => {
          if (done) return
          done = true
          if (timer !== undefined) clock.clearTimeout(timer)
          if (res.ok && res.rev > 0 && o.onAck) {
            const subject = subjectOf(request, res)
            if (subject) o.onAck({ rev: res.rev, subject, by: endpoint, at: clock.now() })
          }
          resolve(res)
        }
        /** Armed only once something went wrong: the common path costs no timer. */
        const armTimeout = () => {
          if (done || timer !== undefined) return
          timer = clock.setTimeout(
            () => answer({ ok: false, status: failureStatus('Timeout', `api-server unreachable over the simulated network: request timed out after ${API_TIMEOUT_MS} ms`) }),
            Math.max(0, started + API_TIMEOUT_MS - clock.now()),
          )
        }
        if (net.disturbed(endpoint, API_SERVER)) armTimeout()
        net.send(endpoint, API_SERVER, () => {
          void o.api.request(request, { user: o.user, ...context }).then((res) => {
            if (net.disturbed(API_SERVER, endpoint)) armTimeout()
            net.send(API_SERVER, endpoint, () => answer(res))
          })
        })
      })
    },
  }
}
