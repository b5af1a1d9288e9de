/**
 * Regenerates the golden histories: `npx tsx test/golden/make.ts`. Each scenario of scenarios.ts
 * runs a whole cluster on the virtual clock and its log is written as an export file
 * (`<name>.kstate`); `corrupted/` gets altered copies (a recorded decision changed) that
 * verification must refuse at that revision. Review the decisions that changed before committing:
 * test/runtime/replay/verify-golden.test.ts fails while the files and the code disagree.
 */
import { mkdirSync } from 'node:fs'
import { setLogLevel } from '../../runtime/log.js'
import { corruptedPath, CORRUPTED_DIR, goldenPath, writeHistory } from './files.js'
import { SCENARIOS } from './scenarios.js'
import { bindElsewhere } from './corrupt.js'

setLogLevel('error')
mkdirSync(CORRUPTED_DIR, { recursive: true })
for (const s of SCENARIOS) {
  const history = await s.record()
  await writeHistory(goldenPath(s.name), history)
  process.stdout.write(`${goldenPath(s.name)}: ${history.length} events\n`)
  if (s.name === 'node-failure') {
    const { history: altered, rev } = bindElsewhere(history)
    await writeHistory(corruptedPath(`${s.name}.bound-elsewhere`), altered)
    process.stdout.write(`${corruptedPath(`${s.name}.bound-elsewhere`)}: PodBound at revision ${rev} moved to another node\n`)
  }
}
