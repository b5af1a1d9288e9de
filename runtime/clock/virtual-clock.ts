import type { Clock } from './clock.js'

interface Timer {
  id: number
  at: number
  /** Insertion order: timers due at the same instant fire in the order they were set. */
  seq: number
  fn: (...args: unknown[]) => void
}

/**
 * A virtual clock on a binary heap. XState's `SimulatedClock` re-sorts every pending timer each
 * time one fires (it exhausted a 4 GB heap at 150,000 timers); here set and fire are O(log n) and a
 * cleared timer is dropped lazily when it reaches the top.
 */
export class VirtualClock implements Clock {
  private heap: Timer[] = []
  private live = new Map<number, Timer>()
  private nextId = 1
  private seq = 0
  private current: number

  constructor(start = 0) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  setTimeout(fn: (...args: unknown[]) => void, ms: number): number {
    const timer: Timer = { id: this.nextId++, at: this.current + Math.max(0, ms || 0), seq: this.seq++, fn }
    this.live.set(timer.id, timer)
    this.push(timer)
    return timer.id
  }

  clearTimeout(id: unknown): void {
    this.live.delete(id as number)
  }

  /** Number of timers still armed. */
  get pending(): number {
    return this.live.size
  }

  /** Time of the next armed timer, or undefined. */
  nextAt(): number | undefined {
    this.dropCleared()
    return this.heap[0]?.at
  }

  /** Moves time forward by `ms`, firing every timer due on the way in time order (timers set while firing included). */
  advance(ms: number): void {
    this.advanceTo(this.current + ms)
  }

  advanceTo(target: number): void {
    for (;;) {
      this.dropCleared()
      const top = this.heap[0]
      if (!top || top.at > target) break
      this.pop()
      this.live.delete(top.id)
      this.current = Math.max(this.current, top.at)
      top.fn()
    }
    this.current = Math.max(this.current, target)
  }

  /** Fires timers until none is left or `limitMs` of virtual time has passed. */
  runAll(limitMs = 24 * 3600_000): void {
    const end = this.current + limitMs
    for (let at = this.nextAt(); at !== undefined && at <= end; at = this.nextAt()) this.advanceTo(at)
  }

  private dropCleared(): void {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].id)) this.pop()
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  private push(t: Timer): void {
    const h = this.heap
    h.push(t)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(h[i], h[p])) break
      ;[h[i], h[p]] = [h[p], h[i]]
      i = p
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.less(h[l], h[m])) m = l
        if (r < h.length && this.less(h[r], h[m])) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m], h[i]]
        i = m
      }
    }
    return top
  }
}
