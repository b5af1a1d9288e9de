import { decodeEvent, encodeEvent } from '../events/index.js'
import { ClusterStore } from '../runtime/projections/cluster-store.js'
import { lifecycleHistory } from './_log.js'
const store = new ClusterStore()
let rev = 0
for (const [subject, e] of lifecycleHistory({ pods: 200, nodes: 5 })) store.apply({ rev: ++rev, subject, event: decodeEvent(encodeEvent(e)) })
const p = store.pods.list()[7]
const walk = (o: any, path: string) => { if (o && typeof o === 'object') for (const k of Object.keys(o)) { if (o[k] === undefined) console.log('undefined at', path + '.' + k); walk(o[k], path + '.' + k) } }
walk(p, 'pod')
console.log(JSON.stringify(p).length, Object.keys(p), Object.keys(p.status!))
const fast = new Function('o', 'return %HasFastProperties(o)')
console.log(fast(p), fast(p.metadata), fast(p.status), fast(p.spec))
import { Packr } from 'msgpackr'
const pk = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false })
const a = pk.pack(p), b = pk.pack(JSON.parse(JSON.stringify(p)))
console.log(a.length, b.length)
const ua = pk.unpack(a), ub = pk.unpack(b)
console.log(JSON.stringify(ua) === JSON.stringify(ub))
for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) { console.log('diff at', i, Buffer.from(a.subarray(i - 20, i + 30)).toString('latin1'), '|||', Buffer.from(b.subarray(i - 20, i + 30)).toString('latin1')); break }
const pr = new Packr({ useRecords: true, mapsAsObjects: true, moreTypes: false })
const list = store.pods.list()
const ra = pr.pack(list), rb = pr.pack(JSON.parse(JSON.stringify(list)))
console.log('records', ra.length, rb.length)
for (let i = 0; i < Math.min(ra.length, rb.length); i++) if (ra[i] !== rb[i]) { console.log('diff at', i, JSON.stringify(Buffer.from(ra.subarray(i - 40, i + 40)).toString('latin1')), '\n|||', JSON.stringify(Buffer.from(rb.subarray(i - 40, i + 40)).toString('latin1'))); break }
