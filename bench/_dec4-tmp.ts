import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { decodeEvent, encodeEvent } from '../events/index.js'
import { ClusterStore } from '../runtime/projections/cluster-store.js'
import { captureSnapshot, decodeSnapshot, encodeSnapshot } from '../runtime/projections/snapshot-codec.js'
import { lifecycleHistory } from './_log.js'
const file = `/tmp/snap-${process.argv[2]}.bin`
if (!existsSync(file)) {
  const store = new ClusterStore()
  let rev = 0
  for (const [subject, e] of lifecycleHistory({ pods: Number(process.argv[2]), nodes: 500 })) store.apply({ rev: ++rev, subject, event: decodeEvent(encodeEvent(e)) })
  writeFileSync(file, Buffer.concat([...encodeSnapshot(captureSnapshot(store))]))
  process.exit(0)
}
const bytes = readFileSync(file)
const t = performance.now(); const c0 = process.cpuUsage()
const into = new ClusterStore()
decodeSnapshot(bytes, { into })
{ const c = process.cpuUsage(c0); console.log("cold decode", Math.round(performance.now() - t), "ms wall", Math.round((c.user + c.system) / 1000), "ms cpu", into.pods.size) }
