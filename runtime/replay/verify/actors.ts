import { NODE_CONTROLLER_USER } from '../../controllers/node-lifecycle-host.js'
import { REPLICASET_CONTROLLER_USER } from '../../controllers/replicaset-host.js'
import { TAINT_EVICTION_USER } from '../../controllers/taint-eviction-host.js'
import { SCHEDULER_USER } from '../../scheduler/host.js'

/**
 * Who decides what. An event whose `by` is one of these users is that controller's recorded
 * decision, to be re-made and compared; every other event (users, kubelets, anything else) is an
 * input, fed to the controllers as it was recorded.
 */
export const VERIFIED_ACTORS = {
  [SCHEDULER_USER]: 'scheduler',
  [NODE_CONTROLLER_USER]: 'node-controller',
  [TAINT_EVICTION_USER]: 'taint-eviction-controller',
  [REPLICASET_CONTROLLER_USER]: 'replicaset-controller',
} as const

export type VerifiedActor = (typeof VERIFIED_ACTORS)[keyof typeof VERIFIED_ACTORS]

/** The controller whose decision an event with this `by` is, or undefined for an input. */
export function decisionActor(by: string): VerifiedActor | undefined {
  return Object.prototype.hasOwnProperty.call(VERIFIED_ACTORS, by) ? VERIFIED_ACTORS[by as keyof typeof VERIFIED_ACTORS] : undefined
}

/** `system:node:<name>`: the kubelet of that node (Kubernetes' node authorizer naming). */
export function kubeletNode(by: string): string | undefined {
  return by.startsWith('system:node:') ? by.slice('system:node:'.length) : undefined
}
