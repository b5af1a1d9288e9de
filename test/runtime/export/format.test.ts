/** The export file: round trip, and refusal (with the byte offset) of truncated or altered files. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeEvent, logSubject, type LogEvent } from '../../../events/index.js'
import { ExportErrorCode, isExportFormatError, readExportFile, readExportHeader, verifyExportFile } from '../../../runtime/export/format.js'
import { writeExportFile, type RawRecord } from '../../../runtime/export/write.js'
import { removeDir } from '../../e2e/cluster.js'

const dir = mkdtempSync(join(tmpdir(), 'kstate-export-'))
test.after(() => removeDir(dir))

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [{ name: 'c', image: 'busybox' }] } })

/** A small history: 3 pods created, bound, one evicted; revisions with a gap (7 is missing). */
function history(): { rev: number; subject: string; event: LogEvent }[] {
  const out: { rev: number; subject: string; event: LogEvent }[] = []
  let rev = 0
  const add = (subject: string, event: LogEvent) => out.push({ rev: ++rev === 7 ? ++rev : rev, subject, event })
  for (const n of ['a', 'b', 'c']) add(logSubject('pods', 'default', n), { type: 'PodCreated', v: 1, at: 1_000 + rev, by: 'admin', data: { object: pod(n) } } as LogEvent)
  for (const n of ['a', 'b', 'c']) add(logSubject('pods', 'default', n), { type: 'PodBound', v: 1, at: 2_000 + rev, by: 'system:kube-scheduler', cause: 1, data: { nodeName: 'node-1' } } as LogEvent)
  add(logSubject('pods', 'default', 'a'), { type: 'PodEvicted', v: 1, at: 3_000, by: 'system:taint-eviction-controller', cause: 4, data: { deletionTimestamp: 'x', deletionGracePeriodSeconds: 30, reason: 'r', message: 'm' } } as LogEvent)
  return out
}

async function* raw(list: { rev: number; subject: string; event: LogEvent }[]): AsyncIterable<RawRecord> {
  for (const r of list) yield { rev: r.rev, subject: r.subject, data: encodeEvent(r.event) }
}

async function written(name = `f-${Math.random().toString(36).slice(2)}.kslog`): Promise<string> {
  const path = join(dir, name)
  await writeExportFile(path, raw(history()), { createdBy: 'kstate/test', until: 100, source: 'https://127.0.0.1:1' })
  return path
}

async function readAll(path: string) {
  const out = []
  for await (const r of readExportFile(path)) out.push(r)
  return out
}

test('round trip: every event comes back with its revision, subject and content; the header describes the file', async () => {
  const path = await written()
  // The header can be awaited before the events are read.
  const file = readExportFile(path)
  assert.is((await file.header).events, 7)
  const back = await readAll(path)
  assert.equal(back, history())
  const h = await readExportHeader(path)
  assert.is(h.format, 'kstate-log-export')
  assert.is(h.formatVersion, 1)
  assert.is(h.events, 7)
  assert.is(h.firstRev, 1)
  assert.is(h.lastRev, 8)
  assert.equal(h.counts, { PodCreated: 3, PodBound: 3, PodEvicted: 1 })
  assert.equal(h.schemaVersions, { PodCreated: 1, PodBound: 1, PodEvicted: 1 })
  assert.is(h.until, 100)
  assert.ok(!Number.isNaN(Date.parse(h.createdAt)))
  assert.equal(await verifyExportFile(path), h)
})

test('an empty log exports to a valid file with no events', async () => {
  const path = join(dir, 'empty.kslog')
  await writeExportFile(path, raw([]), { createdBy: 'kstate/test' })
  assert.equal(await readAll(path), [])
  assert.is((await verifyExportFile(path)).events, 0)
})

async function refusal(path: string): Promise<{ code: string; offset: number; message: string }> {
  try {
    await verifyExportFile(path)
  } catch (e) {
    assert.ok(isExportFormatError(e), String(e))
    return { code: e.code, offset: e.offset, message: e.message }
  }
  throw new Error(`${path} was accepted`)
}

test('a file cut at any offset is refused, with an offset inside the file', async () => {
  const path = await written('whole.kslog')
  const bytes = readFileSync(path)
  // Every cut point of a small file, so boundaries (between frames, inside the trailer) are all covered.
  for (let cut = 0; cut < bytes.length; cut++) {
    const p = join(dir, 'cut.kslog')
    writeFileSync(p, bytes.subarray(0, cut))
    const r = await refusal(p)
    assert.ok(r.offset <= cut, `cut at ${cut}: offset ${r.offset}`)
    assert.ok([ExportErrorCode.Truncated, ExportErrorCode.BadMagic].includes(r.code as never) || cut === 0, `cut at ${cut}: ${r.code} ${r.message}`)
    assert.match(r.message, /refused at byte offset \d+/)
  }
})

test('one altered byte anywhere is refused, naming the offset of the frame (or header/trailer) it is in', async () => {
  const path = await written('whole2.kslog')
  const bytes = readFileSync(path)
  for (let i = 0; i < bytes.length; i++) {
    const altered = Buffer.from(bytes)
    altered[i] ^= 0x20
    const p = join(dir, 'altered.kslog')
    writeFileSync(p, altered)
    const r = await refusal(p)
    // The reported offset is at or before the altered byte, never after the frame holding it.
    assert.ok(r.offset <= i, `byte ${i}: reported offset ${r.offset} (${r.code}: ${r.message})`)
  }
})

test('a flipped payload byte names its frame\'s offset and says the file was altered', async () => {
  const path = await written('whole3.kslog')
  const bytes = readFileSync(path)
  const frames = []
  for await (const f of (await import('../../../runtime/export/format.js')).readExportFrames(path)) frames.push(f.offset)
  const target = frames[4]
  const altered = Buffer.from(bytes)
  altered[target + 20] ^= 0x01
  writeFileSync(join(dir, 'flip.kslog'), altered)
  const r = await refusal(join(dir, 'flip.kslog'))
  assert.is(r.code, ExportErrorCode.Checksum)
  assert.is(r.offset, target)
  assert.match(r.message, `refused at byte offset ${target}: the checksum of the frame at ${target} does not match: the file was altered`)
})

test('bytes appended after the trailer, or a file that is not an export, are refused', async () => {
  const path = await written('whole4.kslog')
  writeFileSync(join(dir, 'extra.kslog'), Buffer.concat([readFileSync(path), Buffer.from('x')]))
  assert.is((await refusal(join(dir, 'extra.kslog'))).code, ExportErrorCode.TrailingBytes)
  writeFileSync(join(dir, 'yaml.kslog'), 'apiVersion: v1\nkind: Pod\n')
  const r = await refusal(join(dir, 'yaml.kslog'))
  assert.is(r.code, ExportErrorCode.BadMagic)
  assert.is(r.offset, 0)
})

test.run()
