/**
 * The web page in headless Chromium against a real cluster: `kstate up --ui` with three
 * `kstate node` processes and a ReplicaSet of six pods. kill -9 of one node's process group turns
 * its card Unknown with the unreachable taint and moves the highlight of its node-controller
 * statechart; dragging the timeline back shows the cluster before the failure; Live returns.
 * Screenshots go to test/artifacts/ui/ (gitignored).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loudly, removeDir, ROOT, startCluster, startProc, until, type Cluster, type Proc } from './cluster.js'

const ARTIFACTS = join(ROOT, 'test/artifacts/ui')
const FAST_NODE = ['--node-lease-duration-seconds', '4', '--node-status-update-frequency', '1s']
const VICTIM = 'n-b'

let c: Cluster
let uiUrl = ''
let browser: Browser
let page: Page
const nodes = new Map<string, Proc>()
/** Requests the page made to anywhere but its own origin: must stay empty (offline, no CDN). */
const foreign: string[] = []
let killedAt = 0

const shot = (p: Page, name: string) => p.screenshot({ path: join(ARTIFACTS, name) })
type Row = { rev: number; type: string; object: string }
const eventRows = async (): Promise<Row[]> =>
  (await (await fetch(new URL('/kstate/v1/events?since=1', uiUrl))).text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row)
const cardReady = (p: Page, node: string) => p.locator(`.card[data-node="${node}"]`).getAttribute('data-ready', { timeout: 2_000 })

test.before(loudly(start))

async function start() {
  mkdirSync(ARTIFACTS, { recursive: true })
  c = await startCluster({
    nodes: 0,
    args: ['--node-monitor-period', '1s', '--node-monitor-grace-period', '4s', '--default-unreachable-toleration-seconds', '3', '--default-not-ready-toleration-seconds', '3', '--ui', '--ui-port', '0'],
  })
  uiUrl = (await c.proc.waitFor(/kstate ui: (http:\/\/127\.0\.0\.1:\d+\/)/))[1]
  for (const n of ['n-a', 'n-b', 'n-c']) nodes.set(n, startProc(['node', '--name', n, '--data-dir', c.dir, ...FAST_NODE]))
  await until(async () => ((await c.run(['get', 'nodes'])).stdout.match(/\bReady\b/g) ?? []).length === 3, 30_000, '3 Ready nodes')
  const r = await c.run(['apply', '-f', 'examples/replicaset.yaml'])
  assert.is(r.code, 0, r.stderr)
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] })
  page = await newPage()
}

/** A page whose requests outside the page's origin are recorded. */
async function newPage(): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  const origin = new URL(uiUrl).origin
  p.on('request', (req) => !req.url().startsWith(origin) && !req.url().startsWith('data:') && foreign.push(req.url()))
  p.on('pageerror', (e) => console.error('page error:', e.message))
  return p
}

test.after(async () => {
  await browser?.close()
  for (const n of nodes.values()) n.kill('SIGKILL')
  await c?.stop()
  if (c) removeDir(c.dir)
})

test('kstate up --ui: the page shows every node Ready and the six pods Running on their nodes', async () => {
  await page.goto(uiUrl)
  await page.waitForFunction(
    () => document.querySelectorAll('.card[data-ready="True"]').length === 3 && document.querySelectorAll('.pod[data-status="Running"]').length === 6,
    null,
    { timeout: 40_000 },
  )
  const perNode = await page.$$eval('.card', (els) => els.map((e) => [(e as HTMLElement).dataset.node, Number((e as HTMLElement).dataset.pods)]))
  assert.equal(perNode.map(([n]) => n), ['n-a', 'n-b', 'n-c'])
  assert.is(perNode.reduce((s, [, k]) => s + Number(k), 0), 6)
  assert.match((await page.textContent('#summary')) ?? '', /3 nodes \(3 Ready, 0 NotReady, 0 Unknown\) · 6 pods \(6 Running\)/)
  await shot(page, '01-live.png')
})

test('kstate ui: its own process serves the page and forwards reads with the kubeconfig token', async () => {
  const p = startProc(['ui', '--port', '0', '--kubeconfig', c.kubeconfig])
  try {
    const url = (await p.waitFor(/kstate ui: (http:\/\/127\.0\.0\.1:\d+\/)/))[1]
    assert.match(await (await fetch(url)).text(), '<title>kstate</title>')
    const list = (await (await fetch(new URL('/api/v1/nodes', url))).json()) as { items: unknown[] }
    assert.is(list.items.length, 3)
    assert.is((await fetch(new URL('/api/v1/namespaces/default/pods', url), { method: 'POST', body: '{}' })).status, 405)
  } finally {
    p.kill('SIGTERM')
    await p.exited
  }
})

/** Whether the gateway serves the inspection endpoints (runtime/gateway/inspect.ts). */
async function inspectionServed(): Promise<boolean> {
  return (await fetch(new URL('/kstate/v1/actors', uiUrl))).status === 200
}
const currentStates = (p: Page) => p.$$eval('.diagram [data-state-id].current', (els) => els.map((e) => e.getAttribute('data-state-id')!).sort())

test('kill -9 of a node: its card goes Unknown with the unreachable taint; its node-controller statechart highlight moves', async () => {
  let actorPage: Page | undefined
  let before: string[] = []
  const actorId = `node-controller/${VICTIM}`
  if (await inspectionServed()) {
    actorPage = await newPage()
    await actorPage.goto(`${uiUrl}?actor=${encodeURIComponent(actorId)}`)
    await actorPage.waitForSelector('.diagram [data-state-id].current', { timeout: 15_000 })
    before = await currentStates(actorPage)
    await shot(actorPage, '02-statechart-before.png')
  } else {
    console.log('  (the gateway does not serve /kstate/v1/actors: the statechart part is not checked)')
  }
  killedAt = Date.now()
  nodes.get(VICTIM)!.kill('SIGKILL')
  await nodes.get(VICTIM)!.exited
  await page.waitForFunction((n) => document.querySelector(`.card[data-node="${n}"]`)?.getAttribute('data-ready') === 'Unknown', VICTIM, { timeout: 20_000 })
  const tookMs = Date.now() - killedAt
  await page.waitForFunction((n) => [...document.querySelectorAll(`.card[data-node="${n}"] .taint`)].some((t) => t.textContent === 'node.kubernetes.io/unreachable:NoExecute'), VICTIM, { timeout: 10_000 })
  assert.is(await cardReady(page, 'n-a'), 'True')
  console.log(`  node card Unknown ${tookMs} ms after kill -9 (grace period 4 s)`)
  await shot(page, '03-node-unknown.png')
  if (actorPage) {
    await actorPage.waitForFunction((b) => JSON.stringify([...document.querySelectorAll('.diagram [data-state-id].current')].map((e) => e.getAttribute('data-state-id')).sort()) !== b, JSON.stringify(before), { timeout: 15_000 })
    const after = await currentStates(actorPage)
    assert.not.equal(after, before)
    assert.ok((await actorPage.locator('#transitions li').count()) > 0, 'the transition is listed')
    await shot(actorPage, '04-statechart-after.png')
    await actorPage.close()
  }
})

test('dragging the timeline back shows the cluster before the failure; Live returns to now', async () => {
  const rows = await eventRows()
  // The node's last condition change is Ready → Unknown; just before it the node was Ready.
  const change = [...rows].reverse().find((r) => r.type === 'NodeConditionChanged' && r.object === `node/${VICTIM}`)
  assert.ok(change, 'the Unknown transition is in the log')
  const target = change.rev - 1
  // Drag the thumb from live (the right end) to about the target, then step to it exactly.
  const slider = page.locator('#rev')
  await page.waitForFunction((h) => Number((document.getElementById('rev') as HTMLInputElement).max) >= h, change.rev)
  const box = (await slider.boundingBox())!
  const [min, max] = await slider.evaluate((el) => [Number((el as HTMLInputElement).min), Number((el as HTMLInputElement).max)])
  const half = 8
  const xOf = (rev: number) => box.x + half + ((rev - min) / Math.max(1, max - min)) * (box.width - 2 * half)
  await page.mouse.move(xOf(max), box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(xOf(target), box.y + box.height / 2, { steps: 12 })
  await page.mouse.up()
  for (let i = 0; i < 400; i++) {
    const v = Number(await slider.inputValue())
    if (v === target) break
    await page.keyboard.press(v > target ? 'ArrowLeft' : 'ArrowRight')
  }
  assert.is(Number(await slider.inputValue()), target)
  await page.waitForFunction((t) => document.body.dataset.mode === 'past' && document.body.dataset.shownRev === String(t), target, { timeout: 15_000 })
  await page.waitForFunction((n) => document.querySelector(`.card[data-node="${n}"]`)?.getAttribute('data-ready') === 'True', VICTIM, { timeout: 5_000 })
  assert.match((await page.textContent('#past-text')) ?? '', `rev ${target}`)
  assert.not.match((await page.textContent('#past-text')) ?? '', 'cannot list past revisions')
  assert.is(await page.locator(`.card[data-node="${VICTIM}"] .taint`).count(), 0, 'no taint before the failure')
  await shot(page, '05-timeline-past.png')
  await page.click('#live')
  await page.waitForFunction((n) => document.body.dataset.mode === 'live' && document.querySelector(`.card[data-node="${n}"]`)?.getAttribute('data-ready') === 'Unknown', VICTIM, { timeout: 5_000 })
  await shot(page, '06-live-again.png')
})

test('the page loaded nothing from outside its own origin', () => {
  assert.equal(foreign, [])
})

test.run()
