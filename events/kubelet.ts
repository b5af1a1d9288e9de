import type { Status } from 'kubernetes-types/meta/v1.js'

/**
 * Pod logs over NATS, the kubelet's `/containerLogs` endpoint.
 *
 * Request (msgpack) on `kubeletSubject(node, 'logs')`: `LogsRequest`. Reply (msgpack): `LogsReply`,
 * with a Kubernetes Status on failure (404: pod or container unknown on this node; 400: several
 * containers and none named, or the container has not started).
 *
 * Follow: the requester subscribes to a subject of its own (`stream`, e.g. a fresh `_INBOX.…`,
 * which node users may publish to), then sends the request with `follow: true, stream`. The reply
 * carries what the log holds now (per `tailLines`); after it, the kubelet publishes `{ chunk }`
 * messages on `stream` as the file grows (polled every FOLLOW_POLL_MS), and `{ end: true }` once the
 * container has terminated and will not restart (or the pod is gone), then stops. The requester
 * publishes anything on `<stream>.keepalive` at least every FOLLOW_KEEPALIVE_MS / 3 and on
 * `<stream>.cancel` to stop early; without a keep-alive for FOLLOW_KEEPALIVE_MS the kubelet ends
 * the stream (with `{ end: true }`).
 */
export interface LogsRequest {
  namespace: string
  name: string
  container?: string
  follow?: boolean
  tailLines?: number
  stream?: string
}
export type LogsReply = { ok: true; text: string } | { ok: false; status: Status }
export type LogsStreamMessage = { chunk: string } | { end: true }
export const FOLLOW_POLL_MS = 250
export const FOLLOW_KEEPALIVE_MS = 30_000

