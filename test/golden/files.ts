/** Where golden histories live and how they are written (shared by make.ts and the tests). */
import { chmodSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeEvent, type LogEvent, type Recorded } from '../../events/index.js'
import { writeExportFile } from '../../runtime/export/write.js'

export const GOLDEN_DIR = fileURLToPath(new URL('.', import.meta.url))
/** Altered copies: each must fail verification at the revision where it differs from its original. */
export const CORRUPTED_DIR = join(GOLDEN_DIR, 'corrupted')

export const goldenPath = (name: string) => join(GOLDEN_DIR, `${name}.kstate`)
export const corruptedPath = (name: string) => join(CORRUPTED_DIR, `${name}.kstate`)

export function goldenFiles(dir = GOLDEN_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.kstate'))
    .sort()
    .map((f) => join(dir, f))
}

/** `source`: what the history was recorded from, in the header (`sim`, or the real cluster's command). */
export async function writeHistory(path: string, history: Recorded<LogEvent>[], source = 'sim'): Promise<void> {
  async function* records() {
    for (const r of history) yield { rev: r.rev, subject: r.subject, data: encodeEvent(r.event) }
  }
  // A fixed creation time: regenerating an unchanged scenario rewrites the same bytes.
  await writeExportFile(path, records(), { createdBy: 'kstate test/golden', source, now: () => Date.UTC(2026, 10, 23) })
  // Exports are private by default (0600); these are checked in.
  chmodSync(path, 0o644)
}
