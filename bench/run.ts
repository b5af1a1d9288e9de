/**
 * `npm run bench -- NAME`: runs bench/NAME.ts. Each benchmark measures its baseline in the same run
 * and ends with one JSON line: {"bench","unit","value","baseline","baselineValue","ratio"}.
 */
import { existsSync, readdirSync } from 'node:fs'

const name = process.argv[2]
const dir = new URL('.', import.meta.url).pathname
const available = readdirSync(dir).filter((f) => f.endsWith('.ts') && !['run.ts', 'report.ts'].includes(f) && !f.startsWith('_')).map((f) => f.replace(/\.ts$/, ''))
if (!name || !existsSync(`${dir}${name}.ts`)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`)
  process.exit(2)
}
await import(`./${name}.ts`)
