import type { NodeLifecycleFlags } from '../../../actors/controllers/node-lifecycle/controller.js'
import { DEFAULT_DATA_DIR } from '../../cluster/data-dir.js'
import { ErrorCode, KstateError } from '../../errors.js'
import { logger, setLogLevel } from '../../log.js'
import { DEFAULT_TOLERANCE_MS, formatResult, openDataDirHistory, openExportHistory, verifyHistory, type OpenedHistory } from '../../replay/verify/index.js'
import { parseDuration } from '../duration.js'
import { progressBar } from '../progress.js'

/** The options `kstate replay --verify` passes; every flag optional (the history's header, then Kubernetes' defaults). */
export interface ReplayVerifyOptions {
  /** The export file (`--verify FILE`); `true` when `--verify` is given alone (then `--data-dir`, default `.kstate`). */
  verify?: string | boolean
  dataDir?: string
  /** Not for --verify: a history is a file or a stopped cluster's store. */
  natsUrl?: string
  /** How much earlier than recorded a decision may be re-made, e.g. `10s`. */
  tolerance?: string
  nodeMonitorPeriod?: string
  nodeMonitorGracePeriod?: string
  nodeStartupGracePeriod?: string
  nodeEvictionRate?: string
  secondaryNodeEvictionRate?: string
  unhealthyZoneThreshold?: string
  largeClusterSizeThreshold?: string
}

function numberFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new KstateError(ErrorCode.BadInput, `--${name} must be a number ≥ 0, got "${v}"`)
  return n
}

/** The node lifecycle flags given on the command line; the others stay undefined (header or default). */
function flagsOf(o: ReplayVerifyOptions): Partial<NodeLifecycleFlags> {
  const ms = (v: string | undefined) => (v === undefined ? undefined : parseDuration(v))
  const given: Partial<NodeLifecycleFlags> = {
    nodeMonitorPeriodMs: ms(o.nodeMonitorPeriod),
    nodeMonitorGracePeriodMs: ms(o.nodeMonitorGracePeriod),
    nodeStartupGracePeriodMs: ms(o.nodeStartupGracePeriod),
    nodeEvictionRate: numberFlag(o.nodeEvictionRate, 'node-eviction-rate'),
    secondaryNodeEvictionRate: numberFlag(o.secondaryNodeEvictionRate, 'secondary-node-eviction-rate'),
    unhealthyZoneThreshold: numberFlag(o.unhealthyZoneThreshold, 'unhealthy-zone-threshold'),
    largeClusterSizeThreshold: numberFlag(o.largeClusterSizeThreshold, 'large-cluster-size-threshold'),
  }
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined))
}

/**
 * `kstate replay --verify FILE | --data-dir DIR`: re-executes the scheduler and controllers on a
 * recorded history and compares their decisions with the recorded ones. Progress on stderr; the
 * result on stdout: `verified N decisions of M events: OK`, or the first divergence and exit 1.
 */
export async function replayVerifyCommand(o: ReplayVerifyOptions): Promise<void> {
  const file = typeof o.verify === 'string' ? o.verify : undefined
  if (file && o.dataDir) throw new KstateError(ErrorCode.BadInput, '--verify FILE and --data-dir DIR are exclusive: verify one history at a time')
  if (o.natsUrl) throw new KstateError(ErrorCode.BadInput, '--verify reads an export (--verify FILE) or a stopped cluster (--verify --data-dir DIR), not a live NATS: export it first (kstate export -o FILE)')
  const dataDir = o.dataDir ?? DEFAULT_DATA_DIR
  const toleranceMs = o.tolerance === undefined ? DEFAULT_TOLERANCE_MS : parseDuration(o.tolerance)
  // The controllers log as they would live: too much for a replay's output.
  setLogLevel('error')
  const log = logger('replay')
  const history: OpenedHistory = file ? await openExportHistory(file) : await openDataDirHistory(dataDir, log)
  const bar = progressBar('verifying', history.total ?? 0)
  let result
  try {
    result = await verifyHistory({
      history: history.events,
      flags: { ...history.flags, ...flagsOf(o) },
      toleranceMs,
      onProgress: (p) => bar.update(p.events, history.total !== undefined ? undefined : p.events),
      log,
    })
  } finally {
    bar.stop()
    await history.close()
  }
  process.stdout.write(formatResult(result) + '\n')
  if (!result.ok) process.exitCode = 1
}
