import { call, callJson } from '../http.js'
import { clientConfig, objectPath, type ClientOptions } from './client.js'

/** `kstate logs POD [-f]`: the api-server fetches the log from the pod's node, as kubectl logs does. */
export async function logsCommand(pod: string, o: ClientOptions & { follow: boolean; container?: string; tail: string }): Promise<void> {
  const cfg = clientConfig(o)
  const q = new URLSearchParams()
  if (o.follow) q.set('follow', 'true')
  if (o.container) q.set('container', o.container)
  if (Number(o.tail) >= 0) q.set('tailLines', String(Number(o.tail)))
  const path = `${objectPath('pods', cfg.namespace, pod)}/log${q.size ? `?${q}` : ''}`
  const res = await call(cfg, 'GET', path)
  if ((res.statusCode ?? 0) >= 300) {
    res.resume()
    await callJson(cfg, 'GET', path) // re-read as JSON to raise the Status as a one-line error
    return
  }
  res.pipe(process.stdout)
  await new Promise<void>((r) => res.on('end', () => r()))
}
