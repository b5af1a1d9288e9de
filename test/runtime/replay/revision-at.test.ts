/** `--at TIME` / `--to TIME`: a time resolves to the last event at or before it. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { logSubject, type LogEvent, type Recorded } from '../../../events/index.js'
import { revisionAtTime } from '../../../runtime/replay/history.js'
import { memoryLogReader } from '../../../runtime/replay/log-reader.js'

/** Revisions 1..40 without 7, 8 and 30 (deleted); `at` = 1000 + 10·rev, with 20..22 sharing one instant. */
const records: Recorded<LogEvent>[] = []
for (let rev = 1; rev <= 40; rev++) {
  if ([7, 8, 30].includes(rev)) continue
  const at = rev >= 20 && rev <= 22 ? 1_200 : 1_000 + 10 * rev
  records.push({ rev, subject: logSubject('nodes', undefined, `n${rev}`), event: { type: 'NodeDeleted', v: 1, at, by: 'x', data: {} } as LogEvent })
}
const reader = memoryLogReader(records)
const at = async (t: number) => (await revisionAtTime(reader, 1, 40, t))?.rev

test('every instant maps to the last event at or before it', async () => {
  assert.is(await at(1_010), 1)
  assert.is(await at(1_015), 1)
  assert.is(await at(1_060), 6)
  assert.is(await at(1_075), 6, 'deleted revisions are skipped')
  assert.is(await at(1_090), 9)
  assert.is(await at(1_395), 39)
  assert.is(await at(9_999), 40)
})

test('events sharing an instant: the last of them', async () => {
  assert.is(await at(1_200), 22)
})

test('before the first event there is none', async () => {
  assert.is(await at(1_000), undefined)
  assert.is(await revisionAtTime(memoryLogReader([]), 1, 0, 5), undefined)
})

test.run()
