/**
 * The node Lease bucket between the simulated kubelets and the node controller (in a real cluster
 * a JetStream KV bucket with history 1, watched by the controller). A renewal that reaches the
 * bucket is kept; the controller's watch delivers it at once — or, while the controller is cut
 * off, the latest renewal of each node when it is back, as a KV watcher catching up would.
 */
export class LeaseBucket {
  private paused = 0
  private readonly held = new Map<string, number>()

  constructor(private readonly deliver: (node: string, renewTime: number) => void) {}

  put(node: string, renewTime: number): void {
    if (this.paused > 0) this.held.set(node, renewTime)
    else this.deliver(node, renewTime)
  }

  pause(): void {
    this.paused++
  }
  resume(): void {
    this.paused = Math.max(0, this.paused - 1)
    if (this.paused > 0) return
    const held = [...this.held]
    this.held.clear()
    for (const [node, renewTime] of held) this.deliver(node, renewTime)
  }
}
