import { logger, type Logger } from '../../log.js'

/**
 * Runs a long-lived command until SIGINT/SIGTERM, then stops it cleanly (children, nats-server,
 * pod processes). A second signal forces the exit.
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
