/**
 * The golden histories of test/golden, in CI: each verifies against the current scheduler and
 * controllers; each corrupted copy is refused at the revision where it differs from its original;
 * and regenerating the sim scenarios gives the same histories (when code changes decisions, this
 * fails until `npx tsx test/golden/make.ts` is run and the new decisions reviewed).
 */
import { basename } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { LogEvent, Recorded } from '../../../events/index.js'
import { readExportFile } from '../../../runtime/export/format.js'
import { setLogLevel } from '../../../runtime/log.js'
import { formatResult } from '../../../runtime/replay/verify/report.js'
import { openExportHistory } from '../../../runtime/replay/verify/sources.js'
import { verifyHistory } from '../../../runtime/replay/verify/verifier.js'
import { CORRUPTED_DIR, goldenFiles, goldenPath } from '../../golden/files.js'
import { GOLDEN_FLAGS, SCENARIOS } from '../../golden/scenarios.js'

setLogLevel('error')

async function readAll(path: string): Promise<Recorded<LogEvent>[]> {
  const out: Recorded<LogEvent>[] = []
  for await (const r of readExportFile(path)) out.push(r)
  return out
}
/** Flags the history was recorded with: the header's, else the table's (by file name). */
const flagsFor = (path: string) => GOLDEN_FLAGS[basename(path).split('.')[0]] ?? {}

const goldens = goldenFiles()

test('there are golden histories, sim-recorded ones among them', () => {
  assert.ok(goldens.length >= 2, goldens.join(', '))
  for (const s of SCENARIOS) assert.ok(goldens.includes(goldenPath(s.name)), `${s.name}.kstate is missing: run npx tsx test/golden/make.ts`)
})

for (const path of goldens) {
  test(`${basename(path)} verifies`, async () => {
    const h = await openExportHistory(path)
    const r = await verifyHistory({ history: h.events, flags: { ...flagsFor(path), ...h.flags } })
    assert.ok(r.ok, formatResult(r))
    assert.ok(r.decisions > 10, `only ${r.decisions} decisions`)
  })
}

for (const path of goldenFiles(CORRUPTED_DIR)) {
  test(`corrupted/${basename(path)} is refused at the revision that was altered`, async () => {
    const original = await readAll(goldenPath(basename(path).split('.')[0]))
    const altered = await readAll(path)
    const rev = altered.find((e, i) => JSON.stringify(e) !== JSON.stringify(original[i]))?.rev
    assert.ok(rev, 'the corrupted copy differs from its original')
    const r = await verifyHistory({ history: altered, flags: flagsFor(path) })
    assert.not.ok(r.ok)
    assert.is(r.divergence!.rev, rev, formatResult(r))
    assert.is(r.divergence!.actor, 'scheduler')
    assert.is(r.divergence!.kind, 'different')
    assert.match(formatResult(r), `divergence at revision ${rev} (scheduler)`)
  })
}

for (const s of SCENARIOS) {
  test(`regenerating ${s.name} records the same history`, async () => {
    const regenerated = await s.record()
    const golden = await readAll(goldenPath(s.name))
    const first = regenerated.findIndex((e, i) => JSON.stringify(e) !== JSON.stringify(golden[i]))
    const where = first < 0 ? '' : `revision ${first + 1}: golden ${JSON.stringify(golden[first]?.event)}\nregenerated ${JSON.stringify(regenerated[first]?.event)}`
    assert.ok(first < 0 && regenerated.length === golden.length, `${s.name} changed (run npx tsx test/golden/make.ts and review): ${where || `length ${golden.length} → ${regenerated.length}`}`)
  })
}

test.run()
