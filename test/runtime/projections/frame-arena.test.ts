/** Waiting frames: copied in, read back intact, and their memory given back once released. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FrameArena } from '../../../runtime/projections/frame-arena.js'

test('frames read back as written, across slabs, even after the caller reuses its buffer', () => {
  const arena = new FrameArena(100)
  const scratch = new Uint8Array(60)
  const written: [number, Uint8Array][] = []
  for (let i = 0; i < 50; i++) {
    const len = 1 + ((i * 37) % 60)
    scratch.fill(i, 0, len)
    written.push([arena.append(scratch.subarray(0, len)), Uint8Array.from(scratch.subarray(0, len))])
  }
  scratch.fill(255)
  for (const [pos, bytes] of written) assert.equal(Uint8Array.from(arena.bytes(pos, bytes.length)), bytes)
})

test('a slab is given back once every frame in it is released; the current one is kept', () => {
  const arena = new FrameArena(100)
  const frame = new Uint8Array(40)
  const a = [arena.append(frame), arena.append(frame)] // slab 0
  const b = [arena.append(frame), arena.append(frame)] // slab 1
  assert.is(arena.heldBytes, 200)
  arena.release(a[0])
  assert.is(arena.heldBytes, 200, 'one frame of slab 0 still waits')
  arena.release(a[1])
  assert.is(arena.heldBytes, 100)
  for (const p of b) arena.release(p)
  assert.is(arena.heldBytes, 100, 'the slab being written stays')
  const c = arena.append(frame)
  assert.equal(Uint8Array.from(arena.bytes(c, 40)), frame)
})

test.run()
