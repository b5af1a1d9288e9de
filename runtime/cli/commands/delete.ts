import { callJson, StatusError } from '../http.js'
import { clientConfig, KIND_NAME, objectPath, resourceOf, type ClientOptions } from './client.js'

/** `kstate delete pod NAME`: graceful by default; waits until the object is gone, as kubectl does. */
export async function deleteCommand(resourceArg: string, name: string, o: ClientOptions & { gracePeriod: string; now: boolean; wait: boolean }): Promise<void> {
  const cfg = clientConfig(o)
  const resource = resourceOf(resourceArg)
  const grace = o.now ? 1 : Number(o.gracePeriod)
  if (!Number.isInteger(grace)) throw new Error(`--grace-period must be an integer, got "${o.gracePeriod}"`)
  const path = objectPath(resource, cfg.namespace, name)
  await callJson(cfg, 'DELETE', grace >= 0 ? `${path}?gracePeriodSeconds=${grace}` : path)
  process.stdout.write(`${KIND_NAME[resource]} "${name}" deleted\n`)
  if (!o.wait) return
  for (;;) {
    try {
      await callJson(cfg, 'GET', path)
    } catch (e) {
      if (e instanceof StatusError && e.status.code === 404) return
      throw e
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}
