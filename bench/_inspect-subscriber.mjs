// The inspect-overhead benchmark's subscriber: its own process, decoding every inspection message
// as `kstate inspect -f` would. Prints `ready`, then on each line of stdin the counts since the last.
import { connect } from '@nats-io/transport-node'
import { Packr } from 'msgpackr'

const packr = new Packr({ useRecords: false, mapsAsObjects: true })
const nc = await connect({ servers: process.argv[2], user: 'control-plane', pass: process.argv[3] })
let batches = 0
let messages = 0
let bytes = 0
let byKind = {}
nc.subscribe('kstate.inspect.>', {
  callback: (_e, m) => {
    batches++
    bytes += m.data.length
    const batch = packr.unpack(m.data)
    messages += batch.length
    for (const x of batch) {
      const k = `${x.id.split('/')[0]} ${x.kind}`
      byKind[k] = (byKind[k] ?? 0) + 1
    }
  },
})
await nc.flush()
process.stdout.write('ready\n')
process.stdin.on('data', () => {
  process.stdout.write(JSON.stringify({ batches, messages, bytes, byKind }) + '\n')
  batches = messages = bytes = 0
  byKind = {}
})
