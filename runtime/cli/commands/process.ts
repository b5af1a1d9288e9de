import { logger, type Logger } from '../../log.js'
import { parseInspectionMode } from '../../../events/inspect.js'

/** Set by `kstate up --processes` on its children: their stdin is a pipe from the parent. */
export const SUPERVISED_ENV = 'KSTATE_SUPERVISED'

/**
 * Runs a long-lived command until SIGINT/SIGTERM, then stops it cleanly (children, nats-server,
 * pod processes). A second signal forces the exit. A supervised child also stops when its parent
 * is gone (EOF on the stdin pipe), even when the parent was SIGKILLed and could not tell it.
 */
export function runUntilSignal(log: Logger, stop: () => Promise<void>): void {
  let stopping = false
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) {
      log.warn('second signal: exiting now', { signal: sig })
      process.exit(130)
    }
    stopping = true
    log.info('shutting down', { signal: sig })
    const force = setTimeout(() => {
      log.error('shutdown took over 20 s: exiting')
      process.exit(1)
    }, 20_000)
    force.unref()
    stop().then(
      () => process.exit(0),
      (e) => {
        log.error('shutdown failed', { error: (e as Error).message })
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  if (process.env[SUPERVISED_ENV] === '1' && !process.stdin.isTTY) {
    process.stdin.on('end', () => {
      if (!stopping) log.warn('supervisor gone (stdin closed): shutting down')
      if (!stopping) onSignal('SIGTERM')
    })
    process.stdin.resume()
  }
}

export const rootLogger = (): Logger => logger('')

export function intOption(v: string, name: string, min = 0): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${v}"`)
  return n
}

/** The kubelet's status flags; unset ones stay undefined so the kubelet applies Kubernetes' defaulting between them. */
export function kubeletFlags(o: { nodeStatusUpdateFrequency?: string; nodeStatusReportFrequency?: string; nodeLeaseDurationSeconds: string }, parse: (d: string) => number) {
  return {
    nodeStatusUpdateFrequencyMs: o.nodeStatusUpdateFrequency ? parse(o.nodeStatusUpdateFrequency) : undefined,
    nodeStatusReportFrequencyMs: o.nodeStatusReportFrequency ? parse(o.nodeStatusReportFrequency) : undefined,
    nodeLeaseDurationSeconds: intOption(o.nodeLeaseDurationSeconds, 'node-lease-duration-seconds', 1),
  }
}

export interface ControlPlaneFlagOptions {
  nodeMonitorPeriod: string
  nodeMonitorGracePeriod: string
  nodeStartupGracePeriod: string
  nodeEvictionRate: string
  secondaryNodeEvictionRate: string
  unhealthyZoneThreshold: string
  largeClusterSizeThreshold: string
  defaultNotReadyTolerationSeconds: string
  defaultUnreachableTolerationSeconds: string
  inspect?: string
  snapshotIntervalEvents?: string
}

function rateOption(v: string, name: string, max = Infinity): number {
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0 || n > max) throw new Error(`--${name} must be a number between 0 and ${max}, got "${v}"`)
  return n
}

/** Parses the controller-manager and api-server flags; a bad value is a one-line error naming the flag. */
export function controlPlaneFlags(o: ControlPlaneFlagOptions, parse: (d: string) => number) {
  return {
    nodeLifecycle: {
      nodeMonitorPeriodMs: parse(o.nodeMonitorPeriod),
      nodeMonitorGracePeriodMs: parse(o.nodeMonitorGracePeriod),
      nodeStartupGracePeriodMs: parse(o.nodeStartupGracePeriod),
      nodeEvictionRate: rateOption(o.nodeEvictionRate, 'node-eviction-rate'),
      secondaryNodeEvictionRate: rateOption(o.secondaryNodeEvictionRate, 'secondary-node-eviction-rate'),
      unhealthyZoneThreshold: rateOption(o.unhealthyZoneThreshold, 'unhealthy-zone-threshold', 1),
      largeClusterSizeThreshold: intOption(o.largeClusterSizeThreshold, 'large-cluster-size-threshold'),
    },
    tolerationSeconds: {
      notReadySeconds: intOption(o.defaultNotReadyTolerationSeconds, 'default-not-ready-toleration-seconds'),
      unreachableSeconds: intOption(o.defaultUnreachableTolerationSeconds, 'default-unreachable-toleration-seconds'),
    },
    inspect: parseInspectionMode(o.inspect ?? 'on'),
    snapshotIntervalEvents: o.snapshotIntervalEvents === undefined ? undefined : intOption(o.snapshotIntervalEvents, 'snapshot-interval-events'),
  }
}
