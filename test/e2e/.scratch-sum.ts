import { ClusterStore } from '../../runtime/projections/cluster-store.js'
import { clusterSummary } from '../../runtime/ui/cluster-summary.js'
import { readFileSync } from 'node:fs'
const pods = JSON.parse(readFileSync('/tmp/pods.json', 'utf8')).items
const store = { rev: 5, nodes: { list: () => [] }, pods: { list: () => pods } } as unknown as ClusterStore
for (let i = 0; i < 5; i++) {
  const t0 = performance.now()
  const s = clusterSummary(store)
  const t1 = performance.now()
  const text = JSON.stringify(s)
  const t2 = performance.now()
  const full = JSON.stringify(pods)
  const t3 = performance.now()
  console.log(`views ${(t1 - t0).toFixed(0)} ms, stringify ${(t2 - t1).toFixed(0)} ms (${text.length} B); full stringify ${(t3 - t2).toFixed(0)} ms (${full.length} B)`)
}
