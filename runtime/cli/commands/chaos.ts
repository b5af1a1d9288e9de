import type { ActiveFault } from '../../../events/index.js'
import { chaosAccess, connectChaos, type ChaosClient } from '../../chaos/client.js'
import { describeFault, parseFault } from '../../chaos/grammar.js'
import { humanDuration } from '../print/age.js'
import { formatTable } from '../print/table.js'

async function withClient<T>(o: { dataDir: string }, fn: (c: ChaosClient) => Promise<T>): Promise<T> {
  const c = await connectChaos(chaosAccess(o.dataDir))
  try {
    return await fn(c)
  } finally {
    await c.close()
  }
}

/** `kstate chaos kill|partition|delay|…`: prints `fault/<id> injected` once the fault is in effect. */
export async function injectCommand(words: string[], o: { dataDir: string }): Promise<void> {
  const parsed = parseFault(words) // a bad fault fails before connecting
  const id = await withClient(o, (c) => c.inject(parsed.fault, { forMs: parsed.forMs }))
  process.stdout.write(`fault/${id} injected\n`)
}

export async function clearCommand(id: string, o: { dataDir: string }): Promise<void> {
  await withClient(o, (c) => c.clear(id))
  process.stdout.write(`fault/${id} cleared\n`)
}

export async function healCommand(o: { dataDir: string }): Promise<void> {
  const ids = await withClient(o, (c) => c.heal())
  process.stdout.write(ids.length === 0 ? 'no partitions\n' : ids.map((id) => `fault/${id} cleared\n`).join(''))
}

export async function resumeCommand(actor: string, o: { dataDir: string }): Promise<void> {
  const ids = await withClient(o, (c) => c.resume(actor))
  process.stdout.write(ids.map((id) => `fault/${id} cleared\n`).join(''))
}

export function faultRows(faults: readonly ActiveFault[], now: number): string[][] {
  return faults.map((f) => [f.id, describeFault(f.fault), humanDuration(now - f.since), f.until === undefined ? '<none>' : humanDuration(f.until - now)])
}

export async function listCommand(o: { dataDir: string; output?: string }): Promise<void> {
  const faults = await withClient(o, (c) => c.list())
  if (o.output === 'json') return void process.stdout.write(faults.map((f) => JSON.stringify(f) + '\n').join(''))
  if (faults.length === 0) return void process.stderr.write('No faults in effect\n')
  process.stdout.write(formatTable(['ID', 'FAULT', 'AGE', 'ENDS IN'], faultRows(faults, Date.now())) + '\n')
}

export async function runCommand(file: string, o: { dataDir: string; kubeconfig?: string; output?: string }): Promise<void> {
  const { runScenarioFile } = await import('../../chaos/scenario-run.js')
  const { formatReport } = await import('../../chaos/report.js')
  const report = await runScenarioFile(file, { dataDir: o.dataDir, kubeconfig: o.kubeconfig, progress: (line) => process.stderr.write(line + '\n') })
  process.stdout.write(o.output === 'json' ? JSON.stringify(report) + '\n' : formatReport(report) + '\n')
  if (!report.passed) process.exit(1)
}
