import type { NatsConnection } from '@nats-io/transport-node'
import type { Clock } from '../clock/clock.js'
import { clockOffset } from './decide.js'
import { busOf } from './faulty-connection.js'

/**
 * A clock whose `now()` is off by what the fault table says for this node (`skew-clock`). Timers
 * keep real durations: a skewed node still renews its Lease every quarter of its duration, but
 * with a renewTime (and status timestamps) that lie by the offset.
 */
export function skewedClock(base: Clock, offsetMs: () => number): Clock {
  return {
    now: () => base.now() + offsetMs(),
    setTimeout: (fn, ms) => base.setTimeout(fn, ms),
    clearTimeout: (id) => base.clearTimeout(id),
  }
}

/** The node's clock as chaos may skew it, through the fault table of its connection. */
export function nodeClock(base: Clock, nc: NatsConnection, node: string): Clock {
  const bus = busOf(nc)
  return bus ? skewedClock(base, () => clockOffset(bus.table.faults, node)) : base
}
