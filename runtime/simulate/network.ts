import type { Clock } from '../clock/clock.js'
import type { Rng } from './random.js'

/** What the network does to the messages of one endpoint while a fault is in effect. */
export type LinkRule =
  | { kind: 'delay'; ms: number; jitterMs: number }
  | { kind: 'drop'; probability: number }
  | { kind: 'duplicate'; probability: number }
  | { kind: 'reorder'; windowMs: number }

/**
 * The simulation's in-process network: the only transport besides NATS, and used only by
 * `kstate simulate`. Endpoints are names (`api-server`, `scheduler`, a node's name). Without a
 * fault a message is delivered at once, in order; rules on either end delay, drop, duplicate or
 * reorder it with draws from the seeded stream, and an isolated endpoint reaches no one.
 * Deterministic: the same sends in the same order with the same seed have the same fate.
 */
export class SimNetwork {
  private readonly rules = new Map<string, Map<string, LinkRule>>()
  private readonly isolated = new Map<string, number>()
  sent = 0
  dropped = 0
  duplicated = 0

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
  ) {}

  /** Adds a rule (named `id`, for removal) to every message to or from `endpoint`. */
  addRule(id: string, endpoint: string, rule: LinkRule): void {
    let m = this.rules.get(endpoint)
    if (!m) this.rules.set(endpoint, (m = new Map()))
    m.set(id, rule)
  }
  removeRule(id: string, endpoint: string): void {
    const m = this.rules.get(endpoint)
    m?.delete(id)
    if (m?.size === 0) this.rules.delete(endpoint)
  }

  /** Cuts `endpoint` off from every other one (counted: two faults isolating it need two heals). */
  isolate(endpoint: string): void {
    this.isolated.set(endpoint, (this.isolated.get(endpoint) ?? 0) + 1)
  }
  heal(endpoint: string): void {
    const n = (this.isolated.get(endpoint) ?? 0) - 1
    if (n > 0) this.isolated.set(endpoint, n)
    else this.isolated.delete(endpoint)
  }

  /** Whether a message between `a` and `b` could be lost or late now (a client then needs its timeout). */
  disturbed(a: string, b: string): boolean {
    return !this.reachable(a, b) || (this.rules.size > 0 && (this.rules.has(a) || this.rules.has(b)))
  }

  reachable(a: string, b: string): boolean {
    return this.isolated.size === 0 || (!this.isolated.has(a) && !this.isolated.has(b))
  }

  /**
   * Sends a message from `from` to `to`: `deliver` runs once per copy that arrives, synchronously
   * when nothing delays it. Returns how many copies will arrive (0: lost).
   */
  send(from: string, to: string, deliver: () => void): number {
    this.sent++
    if (!this.reachable(from, to)) {
      this.dropped++
      return 0
    }
    if (this.rules.size === 0) {
      deliver()
      return 1
    }
    const rules = [...(this.rules.get(from)?.values() ?? []), ...(this.rules.get(to)?.values() ?? [])]
    if (rules.length === 0) {
      deliver()
      return 1
    }
    let copies = 1
    for (const r of rules) {
      if (r.kind === 'drop' && this.rng.chance(r.probability)) copies = 0
      else if (r.kind === 'duplicate' && copies > 0 && this.rng.chance(r.probability)) copies = 2
    }
    if (copies === 0) {
      this.dropped++
      return 0
    }
    if (copies === 2) this.duplicated++
    for (let i = 0; i < copies; i++) {
      const ms = this.delay(rules)
      if (ms <= 0) deliver()
      else this.clock.setTimeout(deliver, ms)
    }
    return copies
  }

  private delay(rules: LinkRule[]): number {
    let ms = 0
    for (const r of rules) {
      if (r.kind === 'delay') ms += Math.max(0, r.ms + (r.jitterMs > 0 ? this.rng.int(-r.jitterMs, r.jitterMs) : 0))
      else if (r.kind === 'reorder') ms += this.rng.int(0, r.windowMs)
    }
    return ms
  }
}
