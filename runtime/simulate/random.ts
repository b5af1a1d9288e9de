import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'

/**
 * Seeded randomness for the simulation (pure-rand's xoroshiro128+). Each purpose draws from its
 * own stream (`Rng.stream(seed, 'faults')`), so the fault schedule of a seed stays the same when
 * the network happens to draw more or fewer numbers.
 */
export class Rng {
  private constructor(private readonly g: RandomGenerator) {}

  static stream(seed: number, name: string): Rng {
    let h = 0x811c9dc5
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193)
    return new Rng(xoroshiro128plus((seed ^ h) | 0))
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.g)
  }
  /** Uniform integer in [from, to]. */
  int(from: number, to: number): number {
    return uniformInt(this.g, from, to)
  }
  chance(p: number): boolean {
    return p > 0 && this.float() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]
  }
  /** Exponentially distributed with the given mean (gaps of a Poisson process). */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean
  }
}
