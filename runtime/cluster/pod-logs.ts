import type { NatsConnection } from '@nats-io/transport-node'
import { createInbox } from '@nats-io/transport-node'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Status } from 'kubernetes-types/meta/v1.js'
import { decode, encode, failureStatus, FOLLOW_KEEPALIVE_MS, kubeletSubject, type LogsReply, type LogsRequest, type LogsStreamMessage } from '../../events/index.js'
import type { LogSink } from '../gateway/server.js'

/**
 * The api-server side of `GET …/pods/NAME/log`: like kube-apiserver proxying to the kubelet, it
 * asks the pod's node over NATS (`kstate.kubelet.<node>.logs`). Non-follow: one request, one reply
 * `{ ok, text }`. Follow: the request names a `stream` inbox; the kubelet answers with the log so
 * far, then publishes `{ chunk }` messages there and `{ end: true }` when the container is done; we
 * send keep-alives on `<stream>.keepalive` and publish on `<stream>.cancel` when the client goes away.
 * The protocol is defined in events/kubelet.ts.
 */
type StreamMsg = LogsStreamMessage

export async function fetchPodLogs(
  nc: NatsConnection,
  pod: Pod,
  opts: { container?: string; follow: boolean; tailLines?: number },
  sink: LogSink,
  signal: AbortSignal,
): Promise<Status | undefined> {
  const node = pod.spec?.nodeName
  const name = pod.metadata?.name ?? ''
  const container = opts.container ?? pod.spec?.containers?.[0]?.name
  if (opts.container && !pod.spec?.containers?.some((c) => c.name === opts.container)) {
    return failureStatus('BadRequest', `container ${opts.container} is not valid for pod ${name}`)
  }
  if (!node) return failureStatus('BadRequest', `pod ${name} has not been scheduled to a node yet: no logs`)
  const req: LogsRequest = { namespace: pod.metadata?.namespace ?? 'default', name, container, tailLines: opts.tailLines }
  if (!opts.follow) {
    try {
      const m = await nc.request(kubeletSubject(node, 'logs'), encode(req), { timeout: 10_000 })
      const r = decode<LogsReply>(m.data)
      if (!r.ok) return r.status
      sink.write(r.text ?? '')
      return undefined
    } catch (e) {
      return failureStatus('ServiceUnavailable', `node ${node} did not answer for the logs of ${name}: ${(e as Error).message}`)
    }
  }
  const stream = createInbox()
  const keepalive = setInterval(() => nc.publish(`${stream}.keepalive`, new Uint8Array()), FOLLOW_KEEPALIVE_MS / 3)
  const done = new Promise<void>((resolve) => {
    const sub = nc.subscribe(stream, {
      callback: (_err, m) => {
        let msg: StreamMsg
        try {
          msg = decode<StreamMsg>(m.data)
        } catch {
          return
        }
        if ('chunk' in msg) sink.write(msg.chunk)
        else {
          sub.unsubscribe()
          resolve()
        }
      },
    })
    signal.addEventListener(
      'abort',
      () => {
        nc.publish(`${stream}.cancel`, new Uint8Array())
        sub.unsubscribe()
        resolve()
      },
      { once: true },
    )
  })
  try {
    const m = await nc.request(kubeletSubject(node, 'logs'), encode({ ...req, follow: true, stream }), { timeout: 10_000 })
    const r = decode<LogsReply>(m.data)
    if (!r.ok) {
      nc.publish(`${stream}.cancel`, new Uint8Array())
      clearInterval(keepalive)
      return r.status
    }
    if (r.text) sink.write(r.text)
  } catch (e) {
    clearInterval(keepalive)
    return failureStatus('ServiceUnavailable', `node ${node} did not answer for the logs of ${name}: ${(e as Error).message}`)
  }
  await done
  clearInterval(keepalive)
  return undefined
}
