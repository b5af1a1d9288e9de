/**
 * Deterministic re-execution of a recorded history (`kstate replay --verify`): the public entry of
 * this folder. verifier.ts runs it; actors.ts says which events are decisions; capture.ts holds
 * the controllers' requests; compare.ts says when two decisions are the same; leases.ts
 * reconstructs the node Leases the log does not hold; sources.ts reads exports and data dirs.
 */
export { verifyHistory, VerifyError, DEFAULT_TOLERANCE_MS, type VerifyOptions, type VerifyResult, type Divergence, type DecisionView } from './verifier.js'
export { formatResult, formatDivergence, describeDecision } from './report.js'
export { openExportHistory, openDataDirHistory, type OpenedHistory } from './sources.js'
export type { HistorySource } from './history.js'
export { VERIFIED_ACTORS, decisionActor, type VerifiedActor } from './actors.js'
