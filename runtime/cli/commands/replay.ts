import { join, relative } from 'node:path'
import { dataDirPaths, DEFAULT_DATA_DIR } from '../../cluster/data-dir.js'
import { ErrorCode, KstateError } from '../../errors.js'
import { progressBar } from '../progress.js'
import { intOption, rootLogger, runUntilSignal } from './process.js'
import type { ReplayVerifyOptions } from './replay-verify.js'

export interface ReplayOptions extends ReplayVerifyOptions {
  to?: string
  apiPort: string
  natsUrl?: string
  writeKubeconfig?: string
}

const shown = (p: string) => {
  const rel = relative(process.cwd(), p)
  return rel.startsWith('..') ? p : rel
}

/**
 * `kstate replay --to REV|TIME`: the cluster as it was then, served read-only until Ctrl-C.
 * `kstate replay --verify …` re-executes a recorded history instead (replay-verify.ts).
 */
export async function replayCommand(o: ReplayOptions): Promise<void> {
  if (o.verify !== undefined) return (await import('./replay-verify.js')).replayVerifyCommand(o)
  if (o.to === undefined) throw new KstateError(ErrorCode.BadInput, 'say which point to serve: --to REV|TIME (or --verify FILE to re-execute a history)')
  const { serveReplay } = await import('../../replay/serve.js')
  const log = rootLogger()
  const dataDir = o.dataDir ?? DEFAULT_DATA_DIR
  const kubeconfig = o.writeKubeconfig ?? join(dataDirPaths(dataDir).root, 'replay.kubeconfig')
  let bar: ReturnType<typeof progressBar> | undefined
  const replay = await serveReplay({
    to: o.to,
    apiPort: intOption(o.apiPort, 'api-port'),
    dataDir,
    natsUrl: o.natsUrl,
    kubeconfig,
    log,
    onProgress: (rev, target) => (bar ??= progressBar('replaying', target)).update(rev, target),
  })
  bar?.stop()
  runUntilSignal(log, () => replay.stop())
  const kc = shown(replay.kubeconfig)
  const when = replay.point.at ? ` (${new Date(replay.point.at).toISOString()})` : ''
  process.stdout.write(
    `kstate replay ready: the cluster at revision ${replay.point.rev}${when} of ${replay.head}, read-only: API ${replay.apiUrl}; kubeconfig ${kc}\n` +
      `  kstate get pods -o wide --kubeconfig ${kc}\n` +
      `  kubectl --kubeconfig ${kc} get pods,nodes,rs\n` +
      `writes answer 405 MethodNotAllowed; Ctrl-C stops it\n`,
  )
}
