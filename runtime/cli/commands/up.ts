import { relative } from 'node:path'
import { up } from '../../cluster/up.js'
import { parseDuration } from '../duration.js'
import { intOption, rootLogger, runUntilSignal } from './process.js'

export async function upCommand(o: {
  nodes: string
  dataDir: string
  apiPort: string
  natsUrl?: string
  nodeCpu?: string
  nodeMemory?: string
  maxPods: string
  nodeStatusUpdateFrequency: string
  nodeLeaseDurationSeconds: string
}): Promise<void> {
  const log = rootLogger()
  const cluster = await up({
    nodes: intOption(o.nodes, 'nodes'),
    dataDir: o.dataDir,
    apiPort: intOption(o.apiPort, 'api-port'),
    natsUrl: o.natsUrl,
    capacity: { cpu: o.nodeCpu, memory: o.nodeMemory, pods: String(intOption(o.maxPods, 'max-pods', 1)) },
    nodeFlags: {
      nodeStatusUpdateFrequencyMs: parseDuration(o.nodeStatusUpdateFrequency),
      nodeLeaseDurationSeconds: intOption(o.nodeLeaseDurationSeconds, 'node-lease-duration-seconds', 1),
    },
    log,
  })
  runUntilSignal(log, () => cluster.stop())
  const kc = relative(process.cwd(), cluster.kubeconfig) || cluster.kubeconfig
  process.stdout.write(`kstate cluster ready: API ${cluster.apiUrl} (${cluster.nodes.length} nodes); kubeconfig ${kc}\n`)
}
