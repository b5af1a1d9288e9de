import type { NatsConnection } from '@nats-io/transport-node'
import { API_REQUEST_SUBJECT, decode, encode, failureStatus, type ApiEnvelope, type ApiRequest, type ApiResponse, type RequestContext } from '../../events/index.js'
import type { ApiClient } from './client.js'

/**
 * The api-server as seen from another process: msgpack request/reply over NATS. Transport
 * failures (no api-server listening, timeout) come back as 503/504 Status values, like an HTTP
 * client would see them, so callers have one error path.
 */
export function natsApiClient(nc: NatsConnection, user: string, timeoutMs = 10_000): ApiClient {
  return {
    async request(request: ApiRequest, context: Partial<RequestContext> = {}): Promise<ApiResponse> {
      const env: ApiEnvelope = { request, context: { user, ...context } }
      try {
        const m = await nc.request(API_REQUEST_SUBJECT, encode(env), { timeout: timeoutMs })
        return decode<ApiResponse>(m.data)
      } catch (e) {
        const msg = (e as Error).message
        const timedOut = /timeout/i.test(msg)
        return { ok: false, status: failureStatus(timedOut ? 'Timeout' : 'ServiceUnavailable', `api-server unreachable over NATS: ${msg}`) }
      }
    },
  }
}
