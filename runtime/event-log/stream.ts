import type { JetStreamManager } from '@nats-io/jetstream'
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream'
import { LOG_STREAM, logResourceFilter } from '../../events/index.js'

/**
 * Creates the log stream if it does not exist. History is never rewritten: no age, count or size
 * limits (restart speed comes from snapshots, not from deleting events).
 */
export async function ensureLogStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(LOG_STREAM)
    return
  } catch {
    // not found: create below
  }
  await jsm.streams.add({
    name: LOG_STREAM,
    subjects: [logResourceFilter('>')],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msg_size: 8 * 1024 * 1024,
    // Retried appends carrying the same msgID within two minutes are stored once.
    duplicate_window: 120 * 1_000_000_000,
    num_replicas: 1,
  })
}
