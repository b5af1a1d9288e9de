import type { Profile } from '../framework.js'
import { nodeName } from './node-name.js'
import { nodeReady } from './node-ready.js'
import { nodeResourcesFit } from './node-resources-fit.js'
import { nodeSelector } from './node-selector.js'
import { nodeUnschedulable } from './node-unschedulable.js'
import { taintToleration } from './taint-toleration.js'

export { nodeName, nodeReady, nodeResourcesFit, nodeSelector, nodeUnschedulable, taintToleration }
export { toleratesTaint, tolerationsTolerateTaint, findUntoleratedTaint } from '../../lib/tolerations.js'
export { leastAllocatedScore, leastRequestedScore } from './least-allocated.js'

/**
 * The default profile, filters in kube-scheduler 1.32's order (NodeUnschedulable, NodeName,
 * TaintToleration, NodeAffinity, NodeResourcesFit), NodeReady after TaintToleration so a node
 * that has both the not-ready taint and the condition reports the taint, as Kubernetes would.
 */
export const defaultProfile: Profile = {
  filters: [nodeUnschedulable, nodeName, taintToleration, nodeReady, nodeSelector, nodeResourcesFit],
  scores: [{ plugin: nodeResourcesFit, weight: 1 }],
}
