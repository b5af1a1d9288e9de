import { join } from 'node:path'
import type { Logger } from '../log.js'
import { parseNatsUrl, type NatsTarget } from '../nats/connect.js'
import { startNatsServer, type RunningNatsServer } from '../nats/server.js'
import { startControlPlane, type ControlPlane, type ControlPlaneFlags } from './control-plane.js'
import { dataDirPaths, loadOrCreateCredentials, writeEndpoints } from './data-dir.js'
import { writeKubeconfig } from './kubeconfig.js'
import { startNode, type NodeOptions, type RunningNode } from './node.js'
import { loadOrCreateTls } from './tls.js'

export interface UpOptions {
  nodes: number
  dataDir: string
  apiPort: number
  /** An external NATS (with JetStream); without it, nats-server is started from nats.conf. */
  natsUrl?: string
  capacity?: { cpu?: string; memory?: string; pods?: string }
  nodeFlags?: NodeOptions['flags']
  controlPlaneFlags?: ControlPlaneFlags
  log: Logger
}

export interface RunningCluster {
  apiUrl: string
  natsUrl: string
  kubeconfig: string
  controlPlane: ControlPlane
  nodes: RunningNode[]
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
  try {
    const tls = await loadOrCreateTls(o.dataDir)
    const cp = await startControlPlane({ nats: cpTarget, apiPort: o.apiPort, adminToken: creds.adminToken, tls, flags: o.controlPlaneFlags, log: o.log })
    stops.push(() => cp.stop())
    writeEndpoints(o.dataDir, { natsUrl: cpTarget.url, apiUrl: cp.apiUrl, pid: process.pid })
    const kubeconfig = writeKubeconfig(o.dataDir, cp.apiUrl, creds.adminToken, tls.ca)
    const nodes: RunningNode[] = []
    for (let i = 1; i <= o.nodes; i++) {
      const name = `node-${i}`
      const node = await startNode({
        name,
        nats: nodeTarget,
        dataDir: join(paths.nodes, name),
        capacity: o.capacity,
        flags: o.nodeFlags,
        log: o.log,
      })
      nodes.push(node)
      stops.push(() => node.stop())
    }
    const natsUrl = cpTarget.url
    return {
      apiUrl: cp.apiUrl,
      natsUrl,
      kubeconfig,
      controlPlane: cp,
      nodes,
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
