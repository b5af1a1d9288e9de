/**
 * The envelope every event in the log carries. The revision of an event is its JetStream stream
 * sequence, never a field: it is assigned by the log on append, so it cannot disagree with it.
 */
export interface Envelope<T extends string = string, D = unknown> {
  /** Domain event name, e.g. `PodBound`. */
  type: T
  /** Schema version of `data` for this `type`; readers refuse versions they do not know. */
  v: number
  /** Wall time of the append, epoch milliseconds, taken from the api-server's injected clock. */
  at: number
  /** The actor or user that caused it: `user:admin`, `scheduler`, `kubelet/node-1`. */
  by: string
  /** Revision of the event that triggered this one, so every change has a causal chain. */
  cause?: number
  data: D
}

/** An envelope with the revision the log gave it, as projections and watchers see it. */
export interface Recorded<E extends Envelope = Envelope> {
  rev: number
  subject: string
  event: E
}

/** Builds the union of envelopes from a map of event type → data shape. */
export type EnvelopesOf<M> = { [K in keyof M & string]: Envelope<K, M[K]> }[keyof M & string]
