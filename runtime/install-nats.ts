/** `npm test` runs this first: the tests need a real nats-server, installed here when missing. */
import { ensureNatsServer } from './nats/install.js'

try {
  ensureNatsServer()
} catch (e) {
  console.error((e as Error).message)
  process.exit(1)
}
