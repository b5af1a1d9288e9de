import { StatusError } from './http.js'

/** Every CLI error ends here: one line on stderr, a non-zero exit, no stack trace for expected failures. */
export function fail(e: unknown): never {
  if (e instanceof StatusError) {
    const s = e.status
    const reason = s.reason ?? 'Unknown'
    process.stderr.write(`Error from server (${reason}): ${s.message ?? ''}\n`)
  } else if (e instanceof Error && (e.name === 'KstateError' || 'code' in e)) {
    process.stderr.write(`error: ${e.message}\n`)
  } else {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`)
  }
  process.exit(1)
}
