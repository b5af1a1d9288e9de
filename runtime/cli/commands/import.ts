import { readExportHeader } from '../../export/format.js'
import { progressBar } from '../progress.js'
import { rootLogger } from './process.js'

/** `kstate import FILE --data-dir DIR`: a new cluster store from an export; refused whole if the file is not intact. */
export async function importCommand(file: string, o: { dataDir: string }): Promise<void> {
  const { importLog } = await import('../../export/import.js')
  const header = await readExportHeader(file)
  const span = Math.max(1, header.lastRev - header.firstRev + 1)
  const checking = progressBar('checking ', span)
  let appending: ReturnType<typeof progressBar> | undefined
  const result = await importLog({
    file,
    dataDir: o.dataDir,
    log: rootLogger(),
    onVerify: (rev) => checking.update(rev - header.firstRev + 1),
    onAppend: (rev) => {
      if (!appending) {
        checking.stop()
        appending = progressBar('importing', span)
      }
      appending.update(rev - header.firstRev + 1)
    },
  }).finally(() => {
    checking.stop()
    appending?.stop()
  })
  const h = result.header
  const gaps = result.gaps > 0 ? `; ${result.gaps} missing revisions kept missing` : ''
  process.stdout.write(
    `imported ${h.events} events (revisions ${h.firstRev}–${h.lastRev}, exported ${h.createdAt}) into ${o.dataDir}${gaps}\n` +
      `run it: kstate up --data-dir ${o.dataDir}    browse it read-only: kstate replay --data-dir ${o.dataDir} --to ${h.lastRev}\n`,
  )
}
