import { join } from 'node:path'
import type { Logger } from '../log.js'
import { ProcessSupervisor } from './supervisor.js'

/**
 * `kstate up --processes`: the control plane and every node as their own OS processes (the same
 * `kstate control-plane` and `kstate node` commands a user runs), children of `kstate up`, which
 * supervises them. This is what chaos kills: a node's process with its pods, the control plane's.
 */
export interface ClusterProcessesOptions {
  dataDir: string
  /** Node data directories live under it (`<nodesDir>/<name>`), with the pods' pid files. */
  nodesDir: string
  apiPort: number
  nodeNames: string[]
  /** Extra arguments of `kstate control-plane` (controller-manager flags). */
  controlPlaneArgs: string[]
  /** Extra arguments of `kstate node` (kubelet flags). */
  nodeArgs: string[]
  log: Logger
  /** argv running the kstate CLI; default: this process's own. */
  cli?: string[]
}

export interface ClusterProcesses {
  apiUrl: string
  supervisor: ProcessSupervisor
  stop(): Promise<void>
}

/** The argv that runs this same kstate CLI (with tsx's loader when running from source). */
export const selfCli = (): string[] => [process.execPath, ...process.execArgv, process.argv[1]]

export async function startClusterProcesses(o: ClusterProcessesOptions): Promise<ClusterProcesses> {
  const sup = new ProcessSupervisor(o.cli ?? selfCli(), o.log.child('supervisor'))
  // The first start may pick the API port; restarts keep it, so the kubeconfig stays right.
  let apiPort = o.apiPort
  const cp = await sup.start({
    name: 'control-plane',
    args: () => ['control-plane', '--data-dir', o.dataDir, '--api-port', String(apiPort), ...o.controlPlaneArgs],
    ready: /kstate control plane ready: API (https:\/\/[^\s:]+:(\d+))/,
  })
  apiPort = Number(cp![2])
  try {
    await Promise.all(
      o.nodeNames.map((name) =>
        sup.start({
          name,
          args: () => ['node', '--name', name, '--data-dir', o.dataDir, ...o.nodeArgs],
          podPidDir: join(o.nodesDir, name, 'pids'),
          ready: /node running/,
        }),
      ),
    )
  } catch (e) {
    await sup.stopAll()
    throw e
  }
  return { apiUrl: cp![1], supervisor: sup, stop: () => sup.stopAll() }
}
