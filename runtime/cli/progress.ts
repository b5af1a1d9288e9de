import cliProgress from 'cli-progress'

/** A progress bar on stderr for long exports, imports and replays; nothing when stderr is not a terminal. */
export interface Progress {
  /** Moves the bar to `value` (of `total`, which may be raised). */
  update(value: number, total?: number): void
  stop(): void
}

const SILENT: Progress = { update() {}, stop() {} }

/** Redraws at most every 100 ms, so a million updates cost nothing noticeable. */
export function progressBar(label: string, total: number, unit = 'events'): Progress {
  if (!process.stderr.isTTY) return SILENT
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
      fps: 10,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(Math.max(total, 1), 0)
  return {
    update(value, t) {
      if (t !== undefined && t !== total) {
        total = t
        bar.setTotal(Math.max(t, 1))
      }
      bar.update(value)
    },
    stop() {
      bar.stop()
    },
  }
}
