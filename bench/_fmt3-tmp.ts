import { readFileSync, writeFileSync } from 'node:fs'
import { Unpackr } from 'msgpackr'
const [mode, batchS] = process.argv.slice(2)
const B = Number(batchS ?? 250)
if (mode === 'gen') {
  // reuse rec frames to produce json frames of the same content
  const u = new Unpackr({ useRecords: true, mapsAsObjects: true, moreTypes: false } as any)
  const frames = (JSON.parse(readFileSync(`/tmp/f-rec-250.json`, 'utf8')) as string[]).map((s) => u.unpack(Buffer.from(s, 'base64')) as unknown[])
  const all = frames.flat()
  const out: Buffer[] = []
  for (let i = 0; i < all.length; i += B) out.push(Buffer.from(JSON.stringify(all.slice(i, i + B))))
  writeFileSync(`/tmp/f-json-${B}.bin`, Buffer.concat(out.flatMap((b) => { const h = Buffer.alloc(4); h.writeUInt32BE(b.length); return [h, b] })))
  process.exit(0)
}
const buf = readFileSync(`/tmp/f-json-${B}.bin`)
const keep: unknown[] = []
const c0 = process.cpuUsage(); const t = performance.now(); let n = 0
for (let at = 0; at < buf.length;) { const len = buf.readUInt32BE(at); const v = JSON.parse(buf.toString('utf8', at + 4, at + 4 + len)) as unknown[]; keep.push(v); n += v.length; at += 4 + len }
const c = process.cpuUsage(c0)
console.log('json', B, 'cold decode', Math.round(performance.now() - t), 'ms wall', Math.round((c.user + c.system) / 1000), 'ms cpu', n, buf.length)
