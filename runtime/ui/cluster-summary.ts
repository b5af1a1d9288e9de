/**
 * `GET /kstate/v1/clusterview`: the web page's first list, served by the gateway from its
 * projection (or, with `resourceVersion=R&resourceVersionMatch=Exact`, from the cluster at R like
 * the REST lists): every node and pod reduced to what a card shows. Listing 10,000 full Pods costs
 * ~17 MB of JSON to encode, encrypt, forward and parse; this is ~1 MB.
 */
import type { ServerResponse } from 'node:http'
import type { ClusterStore } from '../projections/cluster-store.js'
import { compareNames, nodeView, podView, type ClusterSummary } from './model/cluster.js'

export const CLUSTER_VIEW_PATH = '/kstate/v1/clusterview'

export function clusterSummary(store: ClusterStore): ClusterSummary {
  return {
    kind: 'ClusterView',
    apiVersion: 'kstate/v1',
    metadata: { resourceVersion: String(store.rev) },
    nodes: store.nodes.list().map(nodeView).sort((a, b) => compareNames(a.name, b.name)),
    pods: store.pods.list().map(podView),
  }
}

export function sendClusterSummary(res: ServerResponse, store: ClusterStore): void {
  const text = JSON.stringify(clusterSummary(store))
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
