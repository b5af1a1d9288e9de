import { join } from 'node:path'
import { dataDirPaths, readCredentials, readEndpoints } from '../../cluster/data-dir.js'
import { startNode } from '../../cluster/node.js'
import { parseNatsUrl, type NatsTarget } from '../../nats/connect.js'
import { parseDuration } from '../duration.js'
import { intOption, kubeletFlags, rootLogger, runUntilSignal } from './process.js'
import { parseInspectionMode } from '../../../events/inspect.js'

export async function nodeCommand(o: {
  name: string
  dataDir: string
  natsUrl?: string
  cpu?: string
  memory?: string
  maxPods: string
  nodeStatusUpdateFrequency?: string
  nodeStatusReportFrequency?: string
  nodeLeaseDurationSeconds: string
  inspect?: string
}): Promise<void> {
  const log = rootLogger()
  let nats: NatsTarget
  if (o.natsUrl) {
    nats = parseNatsUrl(o.natsUrl)
  } else {
    const creds = readCredentials(o.dataDir)
    const endpoints = readEndpoints(o.dataDir)
    nats = { url: endpoints.natsUrl, user: 'node', pass: creds.nodePassword }
  }
  const node = await startNode({
    name: o.name,
    nats,
    dataDir: join(dataDirPaths(o.dataDir).nodes, o.name),
    capacity: { cpu: o.cpu, memory: o.memory, pods: String(intOption(o.maxPods, 'max-pods', 1)) },
    flags: kubeletFlags(o, parseDuration),
    inspect: parseInspectionMode(o.inspect ?? 'on'),
    log,
  })
  runUntilSignal(log, () => node.stop())
  log.info('node running', { node: o.name, nats: nats.url })
}
