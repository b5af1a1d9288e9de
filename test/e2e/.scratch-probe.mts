import { chromium } from 'playwright-core'
const url = process.argv[2]
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] })
for (let i = 0; i < 3; i++) {
  const p = await b.newPage({ viewport: { width: 1400, height: 900 } })
  await p.goto(url)
  await p.waitForFunction(() => (window as any).kstateUi.metrics.firstRenderMs, null, { timeout: 60000 })
  const r = await p.evaluate(() => ({ m: (window as any).kstateUi.metrics, res: performance.getEntriesByType('resource').filter((e: any) => /api|lib|ui|kstate/.test(e.name)).map((e: any) => `${e.name.replace(/^http:\/\/[^/]+/, '')} start ${Math.round(e.startTime)} ttfb ${Math.round(e.responseStart)} end ${Math.round(e.responseEnd)}`) }))
  console.log(JSON.stringify(r.m), '\n ', r.res.filter((x: string) => !x.includes('watch') && !x.includes('events')).join('\n  '))
  await p.close()
}
await b.close()
