import { statSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { readFrameStream, type RecordedFlags } from '../../export/format.js'
import type { RawRecord } from '../../export/write.js'
import { call, callJson } from '../http.js'
import { progressBar } from '../progress.js'
import { clientConfig, type ClientOptions } from './client.js'
import { resolvePoint } from './get.js'

const CREATED_BY = 'kstate/0.1.0'

/** The recording control plane's flags, as the API sends them with the log; ignored when unreadable. */
function parseFlagsHeader(value: string | string[] | undefined): RecordedFlags | undefined {
  if (typeof value !== 'string') return undefined
  try {
    const f = JSON.parse(value) as RecordedFlags
    return typeof f === 'object' && f !== null ? f : undefined
  } catch {
    return undefined
  }
}

async function* fromApi(res: IncomingMessage): AsyncGenerator<RawRecord> {
  for await (const f of readFrameStream(res)) yield { rev: f.rev, subject: f.subject, data: f.data }
}

/**
 * `kstate export -o FILE [--until REV|TIME]`: the log, up to a revision, into a self-describing
 * file (runtime/export/format.ts). From the running cluster's API (kubeconfig), or with
 * `--data-dir`/`--nats-url` straight from a cluster's store (a stopped cluster too).
 */
export async function exportCommand(o: ClientOptions & { output: string; until?: string; dataDir?: string; natsUrl?: string }): Promise<void> {
  const { writeExportFile } = await import('../../export/write.js')
  let header
  if (o.dataDir || o.natsUrl) {
    const { openLog } = await import('../../replay/open-log.js')
    const { rawLog } = await import('../../replay/log-reader.js')
    const { logBounds } = await import('../../projections/snapshot-load.js')
    const { rootLogger } = await import('./process.js')
    const opened = await openLog({ dataDir: o.dataDir ?? '.kstate', natsUrl: o.natsUrl, log: rootLogger() })
    try {
      const bounds = await logBounds(opened.js)
      if (o.until !== undefined && !/^\d+$/.test(o.until)) throw new Error('--until with --data-dir or --nats-url takes a revision')
      const until = o.until !== undefined ? Math.min(Number(o.until), bounds.lastSeq) : bounds.lastSeq
      const bar = progressBar('exporting', until - bounds.firstSeq + 1)
      header = await writeExportFile(o.output, rawLog(opened.js, { toRev: until }), { createdBy: CREATED_BY, until: o.until !== undefined ? until : undefined, source: opened.source }, (rev) =>
        bar.update(rev - bounds.firstSeq + 1),
      )
      bar.stop()
    } finally {
      await opened.close()
    }
  } else {
    const cfg = clientConfig(o)
    const until = o.until !== undefined ? (await resolvePoint(cfg, o.until)).rev : undefined
    const path = `/kstate/v1/log${until !== undefined ? `?until=${until}` : ''}`
    const res = await call(cfg, 'GET', path)
    if ((res.statusCode ?? 0) >= 300) {
      res.resume()
      await callJson(cfg, 'GET', path)
    }
    const first = Number(res.headers['x-kstate-first-revision'] ?? 1)
    const last = Number(res.headers['x-kstate-until-revision'] ?? 0)
    const flags = parseFlagsHeader(res.headers['x-kstate-flags'])
    const bar = progressBar('exporting', last - first + 1)
    header = await writeExportFile(o.output, fromApi(res), { createdBy: CREATED_BY, until, source: cfg.server, flags }, (rev) => bar.update(rev - first + 1))
    bar.stop()
  }
  const size = statSync(o.output).size
  const range = header.events > 0 ? `revisions ${header.firstRev}–${header.lastRev}` : 'an empty log'
  process.stdout.write(`exported ${header.events} events (${range}) to ${o.output} (${size} bytes)\n`)
}
