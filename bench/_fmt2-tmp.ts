import { readFileSync, writeFileSync } from 'node:fs'
import { Packr, Unpackr } from 'msgpackr'
import { decodeEvent, encodeEvent } from '../events/index.js'
import { ClusterStore } from '../runtime/projections/cluster-store.js'
import { lifecycleHistory } from './_log.js'
const N = 150000
const [mode, batchS] = process.argv.slice(2)
const B = Number(batchS ?? 250)
const opts = (seq: boolean) => ({ useRecords: true, mapsAsObjects: true, moreTypes: false, ...(seq ? { sequential: true } : {}) }) as any
if (mode === 'gen') {
  const store = new ClusterStore()
  let rev = 0
  for (const [subject, e] of lifecycleHistory({ pods: N, nodes: 500 })) store.apply({ rev: ++rev, subject, event: decodeEvent(encodeEvent(e)) })
  const pods = [...store.pods.keys()].map((k) => [k, store.pods.get(k)])
  for (const seq of [false, true]) {
    const p = new Packr(opts(seq))
    const frames: string[] = []
    let max = 0
    const t = performance.now()
    for (let i = 0; i < pods.length; i += B) { const f0 = performance.now(); frames.push(Buffer.from(p.pack(pods.slice(i, i + B))).toString('base64')); max = Math.max(max, performance.now() - f0) }
    console.log(seq ? 'seq' : 'rec', 'encode', Math.round(performance.now() - t), 'max frame ms', Math.round(max))
    writeFileSync(`/tmp/f-${seq ? 'seq' : 'rec'}-${B}.json`, JSON.stringify(frames))
  }
  process.exit(0)
}
const frames = (JSON.parse(readFileSync(`/tmp/f-${mode}-${B}.json`, 'utf8')) as string[]).map((s) => Buffer.from(s, 'base64'))
const u = new Unpackr(opts(mode === 'seq'))
const keep: unknown[] = []
const c0 = process.cpuUsage(); const t = performance.now(); let n = 0
for (const f of frames) { const v = u.unpack(f) as unknown[]; keep.push(v); n += v.length }
const c = process.cpuUsage(c0)
console.log(mode, B, 'cold decode', Math.round(performance.now() - t), 'ms wall', Math.round((c.user + c.system) / 1000), 'ms cpu', n)
