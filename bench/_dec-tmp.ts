import { decodeEvent, encodeEvent } from '../events/index.js'
import { ClusterStore } from '../runtime/projections/cluster-store.js'
import { captureSnapshot, decodeSnapshot, encodeSnapshot } from '../runtime/projections/snapshot-codec.js'
import { lifecycleHistory } from './_log.js'
const store = new ClusterStore()
let rev = 0
for (const [subject, e] of lifecycleHistory({ pods: 20000, nodes: 500 })) store.apply({ rev: ++rev, subject, event: decodeEvent(encodeEvent(e)) })
const bytes = Buffer.concat([...encodeSnapshot(captureSnapshot(store))])
for (let i = 0; i < 3; i++) { const t = performance.now(); decodeSnapshot(bytes); console.log('decode', Math.round(performance.now() - t), bytes.length) }
import { Packr } from 'msgpackr'
const p = new Packr({ useRecords: true, mapsAsObjects: true, moreTypes: false })
const frames: Uint8Array[] = []
let at = 0
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
while (at < bytes.length) { const len = view.getUint32(at); frames.push(bytes.subarray(at + 5, at + 4 + len)); at += 4 + len }
for (let i = 0; i < 3; i++) { const t = performance.now(); let n = 0; for (const f of frames) { const v = p.unpack(f); n += Array.isArray(v) ? v.length : 1 } console.log('unpack only', Math.round(performance.now() - t), n, frames.length) }
const pods = store.pods.list().map((o) => [o.metadata!.name, o])
const ff: Uint8Array[] = []
for (let i = 0; i < pods.length; i += 500) ff.push(p.pack(pods.slice(i, i + 500)))
for (let i = 0; i < 3; i++) { const t = performance.now(); for (const f of ff) p.unpack(f); console.log('repack+unpack', Math.round(performance.now() - t)) }
const plain = JSON.parse(JSON.stringify(pods))
const f2: Uint8Array[] = []
for (let i = 0; i < plain.length; i += 500) f2.push(p.pack(plain.slice(i, i + 500)))
for (let i = 0; i < 3; i++) { const t = performance.now(); for (const f of f2) p.unpack(f); console.log('json-plain unpack', Math.round(performance.now() - t), f2.reduce((a, f) => a + f.length, 0)) }
