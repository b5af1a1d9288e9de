/**
 * The one source of time for actors and the runtime. XState's `Clock` is `{ setTimeout, clearTimeout }`;
 * ours adds `now()` so deadlines kept as data and timers armed from them agree.
 */
export interface Clock {
  now(): number
  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown
  clearTimeout(id: unknown): void
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
}
