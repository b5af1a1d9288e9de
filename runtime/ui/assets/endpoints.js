// The kstate endpoints the page reads besides the REST lists and watches, in one place.
/** The compact first list (runtime/ui/cluster-summary.ts). */
export const CLUSTER_VIEW_PATH = '/kstate/v1/clusterview'
// Inspection (events/inspect.ts documents these).
export const ACTORS_PATH = '/kstate/v1/actors'
export const actorPath = (id) => `${ACTORS_PATH}/${encodeURIComponent(id)}`
/** Live inspection messages of one actor, NDJSON. */
export const inspectFollowPath = (id) => `${actorPath(id)}?watch=1`
export const diagramPath = (id, format) => `${actorPath(id)}/diagram?format=${format}`
/** `ActorList` (`{ items }`), or a bare array. */
export const listOf = (body) => (Array.isArray(body) ? body : (body?.items ?? []))
