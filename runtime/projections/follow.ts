import type { JetStreamClient } from '@nats-io/jetstream'
import { logResourceFilter } from '../../events/index.js'
import { tailLog, type Tail } from '../event-log/tail.js'
import { CatchUp, type CatchUpOptions } from './catch-up.js'
import type { ClusterStore } from './cluster-store.js'

export interface FollowOptions extends CatchUpOptions {
  /** Last revision to apply (a replay to a past point); beyond it frames are ignored and `reached` resolves. */
  toRev?: number
  /** Called every ~1,000 revisions applied. */
  onProgress?(rev: number): void
}

export interface Following extends Tail {
  /** With `toRev`: resolves once the store holds everything up to it, or the log ended before it. */
  reached: Promise<void>
}

/**
 * Keeps `store` in step with the log after `store.rev`: the backlog folded by a `CatchUp` (superseded
 * events never decoded), then every event as it comes. `caughtUp` resolves once the backlog that
 * existed at the start is applied to the store.
 */
export async function followLog(js: JetStreamClient, store: ClusterStore, o: FollowOptions & { filter?: string } = {}): Promise<Following> {
  let malformed = 0
  const onMalformed = (rev: number, subject: string, e: Error) => {
    malformed++
    o.onMalformed?.(rev, subject, e)
  }
  const catchUp = new CatchUp(store, { ...o, onMalformed })
  const toRev = o.toRev ?? Infinity
  let markReached!: () => void
  const reached = new Promise<void>((r) => (markReached = r))
  let lastReport = 0
  const tail = await tailLog(js, {
    filter: o.filter ?? logResourceFilter('>'),
    fromRev: store.rev + 1,
    onFrame: (rev, subject, frame) => {
      if (rev > toRev) return markReached()
      catchUp.offer(rev, subject, frame)
      if (o.onProgress && rev - lastReport >= 1_000) {
        lastReport = rev
        o.onProgress(rev)
      }
      if (rev >= toRev) markReached()
    },
    onMalformed, // (only if the catch-up itself threw: it reports undecodable frames on its own)
  })
  const caughtUp = tail.caughtUp.then(() => catchUp.finish())
  void caughtUp.then(() => markReached())
  return {
    caughtUp,
    reached: reached.then(() => catchUp.finish()),
    get malformed() {
      return malformed
    },
    stop: () => tail.stop(),
  }
}
