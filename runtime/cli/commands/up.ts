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
  ui?: boolean
  uiPort?: string
  processes?: boolean
}, forward: { controlPlane: string[]; kubelet: string[] } = { controlPlane: [], kubelet: [] }): Promise<void> {
  const log = rootLogger()
  const cluster = await up({
    nodes: intOption(o.nodes, 'nodes'),
    dataDir: o.dataDir,
    apiPort: intOption(o.apiPort, 'api-port'),
    natsUrl: o.natsUrl,
    capacity: { cpu: o.nodeCpu, memory: o.nodeMemory, pods: String(intOption(o.maxPods, 'max-pods', 1)) },
    nodeFlags: kubeletFlags(o, parseDuration),
    controlPlaneFlags: controlPlaneFlags(o, parseDuration),
    ...(o.processes
      ? { processes: { controlPlaneArgs: forward.controlPlane, nodeArgs: [...forward.kubelet, ...(o.nodeCpu ? ['--cpu', o.nodeCpu] : []), ...(o.nodeMemory ? ['--memory', o.nodeMemory] : [])] } }
      : {}),
    log,
  })
  // `--ui`: the page's server in this process, reading the cluster through the kubeconfig just written.
  const ui = o.ui ? await startUi(cluster.kubeconfig, intOption(o.uiPort ?? '8001', 'ui-port'), log).catch(async (e) => (await cluster.stop(), Promise.reject(e))) : undefined
  runUntilSignal(log, async () => (await ui?.stop(), await cluster.stop()))
  const rel = relative(process.cwd(), cluster.kubeconfig)
  const kc = rel.startsWith('..') ? cluster.kubeconfig : rel
  process.stdout.write(`kstate cluster ready: API ${cluster.apiUrl} (${cluster.nodeNames.length} nodes); kubeconfig ${kc}\n`)
  if (ui) process.stdout.write(`kstate ui: ${ui.url}\n`)
}

async function startUi(kubeconfig: string, port: number, log: ReturnType<typeof rootLogger>) {
  const [{ startUiServer }, { loadClientConfig }] = await Promise.all([import('../../ui/server.js'), import('../../cluster/kubeconfig.js')])
  return startUiServer({ port, client: loadClientConfig(kubeconfig), log: log.child('ui') })
}
