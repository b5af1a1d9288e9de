/**
 * Bytes of frames that wait, copied into large slabs and addressed by number: a waiting frame costs
 * no object of its own (the garbage collector never traces or copies one), and the connection's
 * read buffers are not kept alive by views into them. A slab is dropped once every frame in it is
 * released.
 */
export const DEFAULT_SLAB_BYTES = 8 * 1024 * 1024
const MAX_SPARE_SLABS = 4

export class FrameArena {
  private readonly slabs: (Buffer | undefined)[] = []
  /** Frames not yet released, per slab. */
  private readonly live: number[] = []
  /** Dropped slabs kept for reuse: fresh memory costs a page fault per 4 KiB on first write (~0.5 s per GB measured). */
  private readonly spare: Buffer[] = []
  private current = -1
  private used: number
  /** Bytes of the slabs held now. */
  heldBytes = 0

  /** A frame of at most `slabBytes` (8 MiB by default: the log's frames are at most 4 MiB). */
  constructor(readonly slabBytes = DEFAULT_SLAB_BYTES) {
    this.used = slabBytes
  }

  /** Copies `frame` (at most `slabBytes`) in; the answer addresses it until `release`. */
  append(frame: Uint8Array): number {
    if (this.used + frame.length > this.slabBytes) this.newSlab()
    const at = this.used
    this.slabs[this.current]!.set(frame, at)
    this.used += frame.length
    this.live[this.current]++
    return this.current * this.slabBytes + at
  }

  /** A view of a frame appended earlier. */
  bytes(pos: number, length: number): Uint8Array {
    const slab = Math.floor(pos / this.slabBytes)
    const at = pos - slab * this.slabBytes
    return this.slabs[slab]!.subarray(at, at + length)
  }

  /** The frame is no longer needed; its slab goes once all of its frames are. */
  release(pos: number): void {
    const slab = Math.floor(pos / this.slabBytes)
    if (--this.live[slab] === 0 && slab !== this.current) this.drop(slab)
  }

  private newSlab(): void {
    if (this.current >= 0 && this.live[this.current] === 0) this.drop(this.current)
    this.current = this.slabs.length
    this.slabs.push(this.spare.pop() ?? Buffer.allocUnsafeSlow(this.slabBytes))
    this.live.push(0)
    this.heldBytes += this.slabBytes
    this.used = 0
  }

  private drop(slab: number): void {
    this.heldBytes -= this.slabs[slab]!.length
    if (this.spare.length < MAX_SPARE_SLABS) this.spare.push(this.slabs[slab]!)
    this.slabs[slab] = undefined
  }
}
