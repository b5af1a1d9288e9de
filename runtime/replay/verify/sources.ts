import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { decodeEvent, LOG_STREAM, type LogEvent, type Recorded } from '../../../events/index.js'
import { dataDirPaths, readCredentials } from '../../cluster/data-dir.js'
import { ErrorCode, KstateError } from '../../errors.js'
import { readExportFile, readExportHeader, type ExportHeader } from '../../export/format.js'
import type { Logger } from '../../log.js'
import { connectNats } from '../../nats/connect.js'
import { startNatsServer } from '../../nats/server.js'
import { rawLog } from '../log-reader.js'
import type { NodeLifecycleFlags } from '../../../actors/controllers/node-lifecycle/controller.js'

/** A history to verify, with what its container says about how it was recorded. */
export interface OpenedHistory {
  events: AsyncIterable<Recorded<LogEvent>>
  /** Node lifecycle flags recorded with the history, when its container carries them. */
  flags?: Partial<NodeLifecycleFlags>
  /** Events in it, when known up front (progress bar). */
  total?: number
  close(): Promise<void>
}

/**
 * An export file (`kstate export`). The header may carry the control plane's node lifecycle flags
 * as `flags` (golden histories do; see test/golden/make.ts): they are used unless overridden.
 */
export async function openExportHistory(path: string): Promise<OpenedHistory> {
  // The header first, on its own: the file's frames are read only as the replay pulls them.
  const header = (await readExportHeader(path)) as ExportHeader & { flags?: { nodeLifecycle?: Partial<NodeLifecycleFlags> } }
  return { events: readExportFile(path), flags: header.flags?.nodeLifecycle, total: header.events, close: async () => {} }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * The log of a STOPPED cluster's data dir (`kstate up --data-dir DIR`): nats-server is started on
 * its store (with the cluster's own credentials) for the time of the read, then stopped. A running
 * cluster is refused: two servers on one store would corrupt it (use `kstate export` instead).
 */
export async function openDataDirHistory(dir: string, log: Logger): Promise<OpenedHistory> {
  const paths = dataDirPaths(dir)
  if (!existsSync(paths.nats)) throw new KstateError(ErrorCode.ClusterNotFound, `no event log in ${paths.root} (no nats/ store)`)
  const pid = existsSync(paths.natsPid) ? Number(readFileSync(paths.natsPid, 'utf8').trim()) : NaN
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    throw new KstateError(ErrorCode.BadInput, `the cluster in ${paths.root} is running (nats-server pid ${pid}): stop it first, or verify an export of it (kstate export -o FILE)`)
  }
  const creds = readCredentials(dir)
  const server = await startNatsServer({
    storeDir: paths.nats,
    pidFile: join(paths.root, 'replay-nats.pid'),
    passwords: { controlPlane: creds.controlPlanePassword, node: creds.nodePassword },
    log,
  })
  try {
    const nc = await connectNats({ url: server.url, user: 'control-plane', pass: creds.controlPlanePassword }, 'kstate-replay-verify')
    const js = jetstream(nc)
    const total = (await (await jetstreamManager(nc)).streams.info(LOG_STREAM)).state.messages
    async function* events(): AsyncGenerator<Recorded<LogEvent>> {
      for await (const r of rawLog(js)) yield { rev: r.rev, subject: r.subject, event: decodeEvent(r.data) }
    }
    return {
      events: events(),
      total,
      async close() {
        await nc.drain().catch(() => {})
        await server.stop()
      },
    }
  } catch (e) {
    await server.stop()
    throw e
  }
}
