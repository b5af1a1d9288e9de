import type { Status } from 'kubernetes-types/meta/v1.js'
import type { NodeCondition, Taint } from 'kubernetes-types/core/v1.js'
import type { Resource } from './subjects.js'

/**
 * Requests to the api-server. The HTTP gateway builds them from REST calls; other processes
 * (scheduler, kubelets) send them over NATS on `API_REQUEST_SUBJECT`. Verbs are Kubernetes' own.
 */
export type ApiRequest =
  | { verb: 'create'; resource: Resource; namespace?: string; object: unknown }
  /** PUT: replace spec/metadata. `metadata.resourceVersion`, when given, must be current (409 otherwise). */
  | { verb: 'update'; resource: Resource; namespace?: string; name: string; object: unknown }
  /** PUT …/status: replace status only; `resourceVersion` optional as for update. */
  | { verb: 'updateStatus'; resource: Resource; namespace?: string; name: string; status: unknown; resourceVersion?: string }
  /** POST …/pods/NAME/binding: the scheduler's only write. */
  | { verb: 'bind'; resource: 'pods'; namespace: string; name: string; nodeName: string; uid?: string }
  /** DELETE. `gracePeriodSeconds: 0` removes at once; otherwise a bound pod goes through graceful termination. */
  | { verb: 'delete'; resource: Resource; namespace?: string; name: string; gracePeriodSeconds?: number; uid?: string }
  /** Node controller: replace the node's conditions it owns (Ready, MemoryPressure, …) → `NodeConditionChanged`. */
  | { verb: 'setNodeConditions'; resource: 'nodes'; name: string; conditions: NodeCondition[]; reason: string }
  /** Node controller: add a taint (`NodeTainted`) and/or remove one by key+effect (`NodeUntainted`), atomically. */
  | { verb: 'taint'; resource: 'nodes'; name: string; add?: Taint; remove?: { key: string; effect: string } }
  /** Taint eviction: graceful deletion with the reason recorded (`PodEvicted`), as the taint manager does. */
  | { verb: 'evict'; resource: 'pods'; namespace: string; name: string; uid?: string; reason: string; message: string }
  /** PUT …/scale: change `spec.replicas` of a ReplicaSet (`ReplicaSetScaled`). */
  | { verb: 'scale'; resource: 'replicasets'; namespace: string; name: string; replicas: number }

export type ApiVerb = ApiRequest['verb']

/** Who asks, established by the transport: a bearer token over HTTP, the NATS user on the bus. */
export interface RequestContext {
  user: string
  /** Revision of the event that prompted the request, recorded as the appended event's `cause`. */
  cause?: number
}

export interface ApiEnvelope {
  request: ApiRequest
  context: RequestContext
}

export type ApiResponse =
  | { ok: true; code: number; object: unknown; rev: number }
  | { ok: false; status: Status }

/** One event of the log as `GET /kstate/v1/events` streams it and `kstate events` lists it. */
export interface EventRow {
  /** The log revision (JetStream sequence). */
  rev: number
  /** Domain event name, e.g. `PodBound`. */
  type: string
  /** The object it changed, as `objectKey` names it: `pod/default/web-1`, `node/n1`. */
  object: string
  /** Who caused it: `admin`, `system:kube-scheduler`, `system:node:node-1`. */
  by: string
  /** Revision of the event that triggered this one. */
  cause?: number
  /** Epoch ms of the append. */
  at: number
}
