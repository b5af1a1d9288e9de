/**
 * `GET /kstate/v1/clusterview`: the web page's first list, served by the gateway from its
 * projection (or, with `resourceVersion=R&resourceVersionMatch=Exact`, from the cluster at R like
 * the REST lists): every node and pod reduced to what a card shows. Listing 10,000 full Pods costs
 * ~17 MB of JSON to encode, encrypt, forward and parse; this is ~1 MB.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { ServerResponse } from 'node:http'
import type { ClusterStore } from '../projections/cluster-store.js'
import { nodeView, podView, type ClusterSummary, type NodeView, type PodView } from './model/cluster.js'

export const CLUSTER_VIEW_PATH = '/kstate/v1/clusterview'

/**
 * Views by object: projections replace an object on every change (reducers never mutate), so a
 * view computed once stays right for as long as its object is in the store; the next page load
 * recomputes only what changed.
 */
const nodeViews = new WeakMap<Node, NodeView>()
const podViews = new WeakMap<Pod, PodView>()
function cached<O extends object, V>(cache: WeakMap<O, V>, o: O, make: (o: O) => V): V {
  let v = cache.get(o)
  if (v === undefined) cache.set(o, (v = make(o)))
  return v
}

export function clusterSummary(store: ClusterStore): ClusterSummary {
  return {
    kind: 'ClusterView',
    apiVersion: 'kstate/v1',
    metadata: { resourceVersion: String(store.rev) },
    // Unsorted: the page orders its cards itself.
    nodes: store.nodes.list().map((n) => cached(nodeViews, n, nodeView)),
    pods: store.pods.list().map((p) => cached(podViews, p, podView)),
  }
}

export function sendClusterSummary(res: ServerResponse, store: ClusterStore): void {
  const text = JSON.stringify(clusterSummary(store))
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
