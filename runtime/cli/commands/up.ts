import { relative } from 'node:path'
import { up } from '../../cluster/up.js'
import { parseDuration } from '../duration.js'
import { controlPlaneFlags, intOption, kubeletFlags, rootLogger, runUntilSignal, type ControlPlaneFlagOptions } from './process.js'

export async function upCommand(o: ControlPlaneFlagOptions & {
  nodes: string
  dataDir: string
  apiPort: string
  natsUrl?: string
  nodeCpu?: string
  nodeMemory?: string
  maxPods: string
  nodeStatusUpdateFrequency?: string
  nodeStatusReportFrequency?: string
  nodeLeaseDurationSeconds: string
}): Promise<void> {
  const log = rootLogger()
  const cluster = await up({
    nodes: intOption(o.nodes, 'nodes'),
    dataDir: o.dataDir,
    apiPort: intOption(o.apiPort, 'api-port'),
    natsUrl: o.natsUrl,
    capacity: { cpu: o.nodeCpu, memory: o.nodeMemory, pods: String(intOption(o.maxPods, 'max-pods', 1)) },
    nodeFlags: kubeletFlags(o, parseDuration),
    controlPlaneFlags: controlPlaneFlags(o, parseDuration),
    log,
  })
  runUntilSignal(log, () => cluster.stop())
  const rel = relative(process.cwd(), cluster.kubeconfig)
  const kc = rel.startsWith('..') ? cluster.kubeconfig : rel
  process.stdout.write(`kstate cluster ready: API ${cluster.apiUrl} (${cluster.nodes.length} nodes); kubeconfig ${kc}\n`)
}
