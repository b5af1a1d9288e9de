/**
 * `npm test` runs this first: the tests need a real nats-server, and the web UI's browser tests
 * Debian's chromium (driven by playwright-core, whose own browser download needs the internet).
 * Both are installed here when missing.
 */
import { ensureProgram } from './apt.js'
import { ensureNatsServer } from './nats/install.js'

try {
  ensureNatsServer()
  ensureProgram({ binary: 'chromium', pkg: 'chromium' })
} catch (e) {
  console.error((e as Error).message)
  process.exit(1)
}
