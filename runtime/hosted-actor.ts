import type { Subscription } from 'rxjs'
import type { AnyActorRef, EventObject } from 'xstate'

/**
 * The host side of one long-lived actor: `send` drops events once stopped (an informer or an
 * answer arriving during shutdown must not reach a stopped actor), and `stop` ends the feeds
 * given to `feed`, then the actor, once.
 */
export function hostedActor<E extends EventObject>(actor: AnyActorRef & { send(event: E): void }) {
  let stopped = false
  const subscriptions: Subscription[] = []
  return {
    send(event: E): void {
      if (!stopped) actor.send(event)
    },
    feed(...subs: Subscription[]): void {
      subscriptions.push(...subs)
    },
    stop(): void {
      if (stopped) return
      stopped = true
      for (const s of subscriptions) s.unsubscribe()
      actor.stop()
    },
  }
}
