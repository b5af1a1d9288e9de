import { Packr, Unpackr } from 'msgpackr'
import { decodeEvent, encodeEvent } from '../events/index.js'
import { ClusterStore } from '../runtime/projections/cluster-store.js'
import { lifecycleHistory } from './_log.js'
const store = new ClusterStore()
let rev = 0
for (const [subject, e] of lifecycleHistory({ pods: Number(process.argv[3] ?? 50000), nodes: 500 })) store.apply({ rev: ++rev, subject, event: decodeEvent(encodeEvent(e)) })
const pods = [...store.pods.keys()].map((k) => [k, store.pods.get(k)])
const mode = process.argv[2]
const BATCH = Number(process.argv[4] ?? 500)
const frames: Uint8Array[] = []
let t = performance.now(); let maxF = 0
const enc = mode === 'seq' ? new Packr({ useRecords: true, mapsAsObjects: true, moreTypes: false, sequential: true } as any) : new Packr({ useRecords: mode === 'rec', mapsAsObjects: true, moreTypes: false })
for (let i = 0; i < pods.length; i += BATCH) { const f0 = performance.now(); frames.push(enc.pack(pods.slice(i, i + BATCH))); maxF = Math.max(maxF, performance.now() - f0) }
console.log(mode, 'encode', Math.round(performance.now() - t), 'max frame', maxF.toFixed(1), 'bytes', frames.reduce((a, f) => a + f.length, 0))
for (let r = 0; r < 3; r++) {
  const dec = mode === 'seq' ? new Unpackr({ useRecords: true, mapsAsObjects: true, moreTypes: false, sequential: true } as any) : new Unpackr({ useRecords: mode === 'rec', mapsAsObjects: true, moreTypes: false })
  t = performance.now(); let n = 0
  for (const f of frames) n += (dec.unpack(f) as unknown[]).length
  console.log(mode, 'decode', Math.round(performance.now() - t), n)
}
