import { existsSync } from 'node:fs'
import { decodeEvent, LOG_STREAM, type LogEvent, type Recorded } from '../../../events/index.js'
import { dataDirPaths } from '../../cluster/data-dir.js'
import { ErrorCode, KstateError } from '../../errors.js'
import { readExportFile, readExportHeader } from '../../export/format.js'
import type { Logger } from '../../log.js'
import { openLog, runningPid } from '../open-log.js'
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
 * An export file (`kstate export`). The header carries the recording control plane's node
 * lifecycle flags as `flags` when it was exported through the API (and golden histories do; see
 * test/golden/make.ts): they are used unless overridden.
 */
export async function openExportHistory(path: string): Promise<OpenedHistory> {
  // The header first, on its own: the file's frames are read only as the replay pulls them.
  const header = await readExportHeader(path)
  return { events: readExportFile(path), flags: header.flags?.nodeLifecycle as Partial<NodeLifecycleFlags> | undefined, total: header.events, close: async () => {} }
}

/**
 * The log of a STOPPED cluster's data dir (`kstate up --data-dir DIR`): nats-server is started on
 * its store (with the cluster's own credentials) for the time of the read, then stopped. A running
 * cluster is refused: its log keeps growing while it is verified (use `kstate export` instead).
 */
export async function openDataDirHistory(dir: string, log: Logger): Promise<OpenedHistory> {
  const paths = dataDirPaths(dir)
  if (!existsSync(paths.nats)) throw new KstateError(ErrorCode.ClusterNotFound, `no event log in ${paths.root} (no nats/ store)`)
  const pid = runningPid(paths.natsPid)
  if (pid !== undefined) {
    throw new KstateError(ErrorCode.BadInput, `the cluster in ${paths.root} is running (nats-server pid ${pid}): stop it first, or verify an export of it (kstate export -o FILE)`)
  }
  const opened = await openLog({ dataDir: dir, log })
  try {
    const total = (await opened.jsm.streams.info(LOG_STREAM)).state.messages
    async function* events(): AsyncGenerator<Recorded<LogEvent>> {
      for await (const r of rawLog(opened.js)) yield { rev: r.rev, subject: r.subject, event: decodeEvent(r.data) }
    }
    return { events: events(), total, close: () => opened.close() }
  } catch (e) {
    await opened.close()
    throw e
  }
}
