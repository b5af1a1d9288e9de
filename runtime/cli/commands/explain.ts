import type { Explanation } from '../../inspect/explain.js'
import { formatExplanation } from '../../inspect/explain.js'
import { callJson } from '../http.js'
import { clientConfig, type ClientOptions } from './client.js'

/** `kstate explain pod/NAME`: the scheduler's last decision for the pod, node by node. */
export async function explainCommand(target: string, o: ClientOptions & { output?: string }): Promise<void> {
  const cfg = clientConfig(o)
  const m = /^(?:(pods?|po)\/)?([^/]+)$/.exec(target)
  if (!m) throw new Error(`explain takes pod/NAME, got "${target}"`)
  const name = m[2]
  const e = await callJson<Explanation>(cfg, 'GET', `/kstate/v1/explain/namespaces/${encodeURIComponent(cfg.namespace)}/pods/${encodeURIComponent(name)}`)
  process.stdout.write(o.output === 'json' ? JSON.stringify(e, null, 2) + '\n' : formatExplanation(e))
}
