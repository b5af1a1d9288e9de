import type { ActiveFault, FaultTableMessage } from '../../events/index.js'

/** The fault table as one process knows it: replaced whole by every newer table the chaos controller sends. */
export class FaultTable {
  faults: readonly ActiveFault[] = []
  version = 0
  private readonly listeners = new Set<() => void>()

  /** Applies a table; an older one arriving late is ignored. Returns whether it changed anything. */
  set(msg: FaultTableMessage): boolean {
    if (msg.version <= this.version) return false
    this.version = msg.version
    this.faults = msg.faults
    for (const l of this.listeners) l()
    return true
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
