import { join } from 'node:path'
import type { Logger } from '../log.js'
import { parseNatsUrl, type NatsTarget } from '../nats/connect.js'
import { startNatsServer, type RunningNatsServer } from '../nats/server.js'
import { startControlPlane, type ControlPlane, type ControlPlaneFlags } from './control-plane.js'
import { dataDirPaths, loadOrCreateCredentials, writeEndpoints } from './data-dir.js'
import { writeKubeconfig } from './kubeconfig.js'
import { startNode, type NodeOptions, type RunningNode } from './node.js'
import { loadOrCreateTls } from './tls.js'
import { attachChaos } from '../chaos/attach.js'
import { startClusterProcesses } from '../chaos/processes.js'

export interface UpOptions {
  nodes: number
  dataDir: string
  apiPort: number
  /** An external NATS (with JetStream); without it, nats-server is started from nats.conf. */
  natsUrl?: string
  capacity?: { cpu?: string; memory?: string; pods?: string }
  nodeFlags?: NodeOptions['flags']
  controlPlaneFlags?: ControlPlaneFlags
  /** `--processes`: the control plane and each node as child processes it supervises (what `kstate chaos kill` kills), started with these extra flags. */
  processes?: { controlPlaneArgs: string[]; nodeArgs: string[] }
  log: Logger
}

export interface RunningCluster {
  apiUrl: string
  natsUrl: string
  kubeconfig: string
  /** Undefined with `processes`: it runs in a child process. */
  controlPlane?: ControlPlane
  /** The nodes run in this process (none with `processes`). */
  nodes: RunningNode[]
  nodeNames: string[]
  stop(): Promise<void>
}

/** `kstate up`: nats-server (embedded default), the control plane and N nodes in this process. */
export async function up(o: UpOptions): Promise<RunningCluster> {
  const paths = dataDirPaths(o.dataDir)
  const creds = loadOrCreateCredentials(o.dataDir)
  let nats: RunningNatsServer | undefined
  let cpTarget: NatsTarget
  let nodeTarget: NatsTarget
  if (o.natsUrl) {
    cpTarget = parseNatsUrl(o.natsUrl)
    nodeTarget = cpTarget
  } else {
    nats = await startNatsServer({
      storeDir: paths.nats,
      pidFile: paths.natsPid,
      passwords: { controlPlane: creds.controlPlanePassword, node: creds.nodePassword },
      log: o.log.child('nats-server'),
    })
    cpTarget = { url: nats.url, user: 'control-plane', pass: creds.controlPlanePassword }
    nodeTarget = { url: nats.url, user: 'node', pass: creds.nodePassword }
  }
  const stops: (() => Promise<void>)[] = []
  const nodeNames = Array.from({ length: o.nodes }, (_, i) => `node-${i + 1}`)
  // `kstate chaos restart nats`: a crash (SIGKILL) of nats-server, then a start on the same port and store.
  const restartNats = async (downMs: number) => {
    const old = nats!
    old.process.kill('SIGKILL')
    await old.stop()
    await new Promise((r) => setTimeout(r, downMs))
    nats = await startNatsServer({
      storeDir: paths.nats,
      pidFile: paths.natsPid,
      port: old.port,
      passwords: { controlPlane: creds.controlPlanePassword, node: creds.nodePassword },
      log: o.log.child('nats-server'),
    })
  }
  try {
    const tls = await loadOrCreateTls(o.dataDir)
    let cp: ControlPlane | undefined
    let apiUrl: string
    let kubeconfig: string
    const nodes: RunningNode[] = []
    const supervised = o.processes
      ? await (async () => {
          // The children find NATS through the data dir, as `kstate node --data-dir` does.
          writeEndpoints(o.dataDir, { natsUrl: cpTarget.url, apiUrl: '', pid: process.pid })
          return startClusterProcesses({ dataDir: paths.root, nodesDir: paths.nodes, apiPort: o.apiPort, nodeNames, ...o.processes!, log: o.log })
        })()
      : undefined
    if (supervised) {
      stops.push(() => supervised.stop())
      apiUrl = supervised.apiUrl
      kubeconfig = paths.kubeconfig
    } else {
      const started = await startControlPlane({ nats: cpTarget, apiPort: o.apiPort, adminToken: creds.adminToken, tls, flags: o.controlPlaneFlags, log: o.log })
      cp = started
      stops.push(() => started.stop())
      apiUrl = started.apiUrl
      writeEndpoints(o.dataDir, { natsUrl: cpTarget.url, apiUrl, pid: process.pid })
      kubeconfig = writeKubeconfig(o.dataDir, apiUrl, creds.adminToken, tls.ca)
      for (const name of nodeNames) {
        const node = await startNode({
          name,
          nats: nodeTarget,
          dataDir: join(paths.nodes, name),
          capacity: o.capacity,
          flags: o.nodeFlags,
          inspect: o.controlPlaneFlags?.inspect,
          log: o.log,
        })
        nodes.push(node)
        stops.push(() => node.stop())
      }
    }
    const chaos = await attachChaos({
      nats: cpTarget,
      adminToken: creds.adminToken,
      processes: () => ['control-plane', ...nodeNames],
      supervisor: supervised?.supervisor,
      ...(nats ? { restartNats } : {}),
      log: o.log,
    })
    // Stopped first: faults are cleared (killed processes restarted) before everything stops.
    stops.push(async () => {
      await chaos.controller.clearAll('cluster stopping', { restart: false })
      await chaos.stop()
    })
    const natsUrl = cpTarget.url
    return {
      apiUrl,
      natsUrl,
      kubeconfig,
      controlPlane: cp,
      nodes,
      nodeNames,
      async stop() {
        for (const s of stops.reverse()) await s().catch((e) => o.log.warn('stop failed', { error: (e as Error).message }))
        await nats?.stop()
      },
    }
  } catch (e) {
    for (const s of stops.reverse()) await s().catch(() => {})
    await nats?.stop()
    throw e
  }
}
