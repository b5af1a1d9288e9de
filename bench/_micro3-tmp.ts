import { decodeEvent, encodeEvent } from '../events/index.js'
import { lifecycleHistory } from './_log.js'
const it = lifecycleHistory({ pods: 1, nodes: 1 })
it.next()
const [, e] = it.next().value!
const d = decodeEvent(encodeEvent(e)) as any
const fast = new Function('o', 'return %HasFastProperties(o)')
console.log('top', fast(d), 'data', fast(d.data), 'object', fast(d.data.object), 'meta', fast(d.data.object.metadata), 'spec', fast(d.data.object.spec))
const N = 200000
let t = performance.now(); for (let i = 0; i < N; i++) ({ ...d.data.object, metadata: { ...d.data.object.metadata, resourceVersion: '5' } }); console.log('withRev', ((performance.now() - t) * 1000 / N).toFixed(2))
const plain = JSON.parse(JSON.stringify(d.data.object))
t = performance.now(); for (let i = 0; i < N; i++) ({ ...plain, metadata: { ...plain.metadata, resourceVersion: '5' } }); console.log('withRev plain', ((performance.now() - t) * 1000 / N).toFixed(2))
t = performance.now(); for (let i = 0; i < N; i++) new Date(1732379000000 + i).toISOString().replace(/\.\d{3}Z$/, 'Z'); console.log('iso', ((performance.now() - t) * 1000 / N).toFixed(2))
