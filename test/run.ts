/**
 * Runs every `*.test.ts` under test/ (or the paths given) as its own Node process — uvu allows one
 * `.run()` per file, and an isolated process cannot leak NATS connections into the next file — and
 * prints `N passed, N failed` as its last line for CI. Unit files run two at a time; e2e files alone.
 */
import { spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('.', import.meta.url).pathname
const args = process.argv.slice(2)
const filter = args.length > 0 ? args : undefined

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) return f === 'artifacts' || f === 'fixtures' ? [] : walk(p)
    return f.endsWith('.test.ts') ? [p] : []
  })
}

const files = walk(root)
  .filter((f) => !filter || filter.some((a) => f.includes(a)))
  .sort()
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '')

interface Result {
  file: string
  passed: number
  failed: number
  ms: number
}

function runFile(file: string): Promise<Result> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    // uvu has no per-test timeout: a whole file gets five minutes.
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      const text = strip(out)
      const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? NaN)
      const passedN = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? NaN)
      let passed = Number.isFinite(passedN) ? passedN : 0
      let failed = Number.isFinite(total) ? total - passed : 1
      if (code !== 0 && failed === 0) failed = 1
      if (!Number.isFinite(total)) passed = 0
      const rel = relative(root, file)
      const ms = Date.now() - started
      const mark = failed === 0 ? 'ok  ' : 'FAIL'
      console.log(`${mark} ${rel} (${passed} passed, ${failed} failed, ${(ms / 1000).toFixed(1)}s)`)
      if (failed > 0) console.log(text.split('\n').map((l) => `     ${l}`).join('\n'))
      resolve({ file: rel, passed, failed, ms })
    })
  })
}

async function pool(list: string[], width: number): Promise<Result[]> {
  const results: Result[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(width, list.length) }, async () => {
      while (next < list.length) results.push(await runFile(list[next++]))
    }),
  )
  return results
}

const e2e = files.filter((f) => f.includes('/e2e/'))
const unit = files.filter((f) => !f.includes('/e2e/'))
const results = [...(await pool(unit, 2)), ...(await pool(e2e, 1))]
const passed = results.reduce((n, r) => n + r.passed, 0)
const failed = results.reduce((n, r) => n + r.failed, 0)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 && results.length > 0 ? 0 : 1)
