/** A cluster of OS processes for the chaos tests: `kstate up --processes` with short node-lifecycle timings. */
import { execFileSync } from 'node:child_process'
import { removeDir, startCluster, until, type Cluster } from './cluster.js'

/** Unknown after 4 s of silence, evicted 3 s later; Leases renewed every second. */
export const FAST = ['--node-monitor-period', '1s', '--node-monitor-grace-period', '4s', '--default-unreachable-toleration-seconds', '3', '--default-not-ready-toleration-seconds', '3', '--node-lease-duration-seconds', '4', '--node-status-update-frequency', '1s']

export function pgrep(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

export async function startChaosCluster(nodes: number): Promise<Cluster> {
  const c = await startCluster({ nodes, args: ['--processes', ...FAST] })
  await until(async () => ((await c.run(['get', 'nodes'])).stdout.match(/\bReady\b/g) ?? []).length === nodes, 60_000, `${nodes} Ready nodes`)
  return c
}

/** Stops the cluster; the supervisor's children live in their own process groups, so anything left is ended by pid. */
export async function stopChaosCluster(c: Cluster | undefined): Promise<void> {
  if (!c) return
  await c.stop()
  for (const pid of pgrep(c.dir)) process.kill(pid, 'SIGKILL')
  removeDir(c.dir)
}
