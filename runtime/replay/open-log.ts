import { jetstreamManager, jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { existsSync, readFileSync } from 'node:fs'
import { LOG_STREAM } from '../../events/index.js'
import { dataDirPaths, readCredentials, readEndpoints } from '../cluster/data-dir.js'
import { ErrorCode, KstateError } from '../errors.js'
import type { Logger } from '../log.js'
import { connectNats, parseNatsUrl, type NatsTarget } from '../nats/connect.js'
import { alive, startNatsServer, type RunningNatsServer } from '../nats/server.js'

export interface OpenedLog {
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  /** Where the log was read from, safe to print. */
  source: string
  close(): Promise<void>
}

/** The pid in a pid file when that process is alive. */
export function runningPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined
}

/**
 * The event log of a cluster, for reading: a NATS URL (with credentials), or a data dir — its
 * running nats-server when the cluster is up, else one started on its store for the time of the
 * read (with the data dir's pid file, so `kstate up` on the same dir stops it instead of running a
 * second server on one store). Refuses when there is no log stream.
 */
export async function openLog(o: { dataDir: string; natsUrl?: string; log: Logger }): Promise<OpenedLog> {
  let target: NatsTarget
  let server: RunningNatsServer | undefined
  const paths = dataDirPaths(o.dataDir)
  if (o.natsUrl) target = parseNatsUrl(o.natsUrl)
  else {
    if (!existsSync(paths.nats)) throw new KstateError(ErrorCode.ClusterNotFound, `no cluster store in ${paths.root} (no nats/ directory): give --data-dir of a cluster, or --nats-url`)
    const creds = readCredentials(o.dataDir)
    if (runningPid(paths.natsPid) !== undefined) {
      target = { url: readEndpoints(o.dataDir).natsUrl, user: 'control-plane', pass: creds.controlPlanePassword }
    } else {
      server = await startNatsServer({ storeDir: paths.nats, pidFile: paths.natsPid, passwords: { controlPlane: creds.controlPlanePassword, node: creds.nodePassword }, log: o.log.child('nats-server') })
      target = { url: server.url, user: 'control-plane', pass: creds.controlPlanePassword }
    }
  }
  try {
    const nc = await connectNats(target, 'kstate-replay')
    const jsm = await jetstreamManager(nc)
    try {
      await jsm.streams.info(LOG_STREAM)
    } catch (e) {
      await nc.drain().catch(() => {})
      throw new KstateError(ErrorCode.ClusterNotFound, `no event log (stream ${LOG_STREAM}) at ${target.url}: ${(e as Error).message}`)
    }
    return {
      nc,
      js: jetstream(nc),
      jsm,
      source: o.natsUrl ? target.url : paths.root,
      async close() {
        await nc.drain().catch(() => {})
        await server?.stop()
      },
    }
  } catch (e) {
    await server?.stop()
    throw e
  }
}
