import type { ApiRequest, ApiResponse, RequestContext } from '../../events/index.js'

/**
 * How every component other than the HTTP gateway talks to the api-server: in process it is a
 * direct call, across processes a msgpack request/reply over NATS. Both answer the same values.
 */
export interface ApiClient {
  request(request: ApiRequest, context?: Partial<RequestContext>): Promise<ApiResponse>
}
