/**
 * Logs: one line per event, `time level actor-id message key=value…`, on stderr so command output
 * on stdout stays machine-readable. Secrets never reach here: callers pass no tokens or passwords.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  readonly id: string
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  child(id: string): Logger
}

let threshold: number = ORDER[(process.env.KSTATE_LOG_LEVEL as Level) ?? 'info'] ?? ORDER.info
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n')

/** Whether lines of `level` are written: callers skip work (inspection, formatting) that only feeds them. */
export function logEnabled(level: Level): boolean {
  return ORDER[level] >= threshold
}

export function setLogLevel(level: Level): void {
  threshold = ORDER[level]
}
/** Tests and the quiet CLI redirect or silence the lines. */
export function setLogSink(fn: (line: string) => void): void {
  sink = fn
}

function fmt(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message)
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return s !== undefined && /[\s"=]/.test(s) ? JSON.stringify(s) : String(s)
}

export function logger(id: string): Logger {
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < threshold) return
    const kv = fields ? Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}=${fmt(v)}`).join('') : ''
    sink(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${id || 'kstate'} ${msg.replace(/\n/g, ' ')}${kv}`)
  }
  return {
    id,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (sub) => logger(id ? `${id}/${sub}` : sub),
  }
}
