import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { dataDirPaths } from '../cluster/data-dir.js'
import { loadClientConfig, type ClientConfig } from '../cluster/kubeconfig.js'
import { callJson } from '../cli/http.js'
import { clusterPath } from '../cli/commands/client.js'
import { parseManifests } from '../cli/commands/apply.js'
import { connectNats } from '../nats/connect.js'
import { formatViolation, INVARIANTS, type Violation } from '../invariants/index.js'
import { chaosAccess, connectChaos, type ChaosClient } from './client.js'
import { isChaosError } from './errors.js'
import { PROJECTED, projectionAt, ScenarioObserver, versionHash } from './observer.js'
import { parseScenario, type Scenario } from './scenario.js'
import { startWrites, type WriteStats } from './writes.js'
import type { ScenarioReport } from './report.js'

export interface RunOptions {
  dataDir: string
  kubeconfig?: string
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))
const API_KIND: Record<string, string> = { 'v1/Pod': 'pods', 'v1/Node': 'nodes', 'apps/v1/ReplicaSet': 'replicasets' }

export async function runScenarioFile(file: string, o: RunOptions): Promise<ScenarioReport> {
  const scenario = parseScenario(readFileSync(file, 'utf8'), file)
  return runScenario(scenario, o)
}

/** Retries a chaos call while the controller cannot answer (nats-server restarting). */
async function retrying<T>(fn: () => Promise<T>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (e) {
      if (Date.now() > deadline || (isChaosError(e) && e.code !== 'CHAOS_UNREACHABLE')) throw e
      await sleep(250)
    }
  }
}

async function applyManifests(cfg: ClientConfig, files: string[], say: (l: string) => void): Promise<void> {
  for (const f of files) {
    for (const obj of parseManifests(readFileSync(f, 'utf8'), f) as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } }[]) {
      const resource = API_KIND[`${obj.apiVersion}/${obj.kind}`]
      if (!resource) throw new Error(`${f}: kstate serves Pods, Nodes and ReplicaSets, not ${obj.apiVersion}/${obj.kind}`)
      const ns = obj.metadata?.namespace ?? 'default'
      const path = resource === 'nodes' ? '/api/v1/nodes' : resource === 'pods' ? `/api/v1/namespaces/${ns}/pods` : `/apis/apps/v1/namespaces/${ns}/replicasets`
      try {
        await callJson(cfg, 'POST', path, obj)
        say(`${resource}/${obj.metadata?.name} created`)
      } catch (e) {
        if (!/already exists/i.test((e as Error).message)) throw e
        say(`${resource}/${obj.metadata?.name} unchanged (exists)`)
      }
    }
  }
}

/**
 * Runs a scenario against the cluster of `dataDir`: waits for its nodes, applies the manifests and
 * waits for them to converge, starts the writes, injects the timeline's faults (each cleared after
 * its `for`, or at the end), then waits for convergence and judges every invariant.
 */
export async function runScenario(scenario: Scenario, o: RunOptions): Promise<ScenarioReport> {
  const say = o.progress ?? (() => {})
  const started = Date.now()
  const runId = randomBytes(3).toString('hex')
  const access = chaosAccess(o.dataDir)
  const cfg = loadClientConfig(o.kubeconfig ?? join(dataDirPaths(o.dataDir).root, 'kubeconfig'))
  const nc = await connectNats(access.nats, 'kstate-chaos-run')
  const chaos: ChaosClient = await connectChaos(access, `chaos-run/${scenario.name}`)
  const observer = new ScenarioObserver(nc, started, scenario.convergeWithinMs)
  const injected: string[] = []
  let writes: WriteStats = { attempted: 0, acknowledged: 0, failed: 0 }
  let convergedAfterMs: number | undefined
  let recoveredAfterMs: number | undefined
  const projectionChecks: string[] = []
  let writer: ReturnType<typeof startWrites> | undefined
  try {
    await observer.start()
    const waitFor = async (what: string, ok: () => boolean, ms: number) => {
      const deadline = Date.now() + ms
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`scenario ${scenario.name}: timed out after ${ms / 1000} s waiting for ${what}`)
        await sleep(200)
      }
    }
    await waitFor(`${scenario.requires.nodes} Ready nodes`, () => observer.readyNodes() >= scenario.requires.nodes, 60_000)
    await applyManifests(cfg, scenario.manifests, say)
    await waitFor('the manifests to converge', () => observer.checkConvergence(Date.now()), scenario.convergeWithinMs)
    say(`converged: ${observer.store.replicasets.size} ReplicaSets, ${observer.store.pods.size} pods`)

    writer = scenario.writes
      ? startWrites(cfg, { ...scenario.writes, runId, onAck: (a) => observer.suite.ack({ ...a, by: 'chaos-run writer' }) })
      : undefined
    const t0 = Date.now()
    // ---- the timeline
    const ending: Promise<void>[] = []
    for (const step of scenario.timeline) {
      await sleep(t0 + step.atMs - Date.now())
      const requestId = `${runId}-${scenario.timeline.indexOf(step)}`
      const id = await retrying(() => chaos.inject(step.fault, { requestId, ...(step.forMs !== undefined ? { forMs: step.forMs } : {}) }))
      observer.own(id)
      injected.push(id)
      say(`+${((Date.now() - t0) / 1000).toFixed(1)}s fault/${id} injected: ${step.words}${step.forMs !== undefined ? ` for ${step.forMs / 1000}s` : ''}`)
    }
    // Faults without a duration last until the timeline ends.
    for (const id of injected) {
      const open = (await retrying(() => chaos.list())).some((f) => f.id === id)
      const step = scenario.timeline[injected.indexOf(id)]
      if (open && step.forMs === undefined && step.fault.kind !== 'restart-nats') ending.push(retrying(() => chaos.clear(id)).catch(() => {}))
    }
    await Promise.all(ending)
    await waitFor('every fault to be cleared', () => observer.faultsOpen === 0 && observer.lastFaultEnd !== undefined, 120_000)
    say(`+${((Date.now() - t0) / 1000).toFixed(1)}s every fault cleared`)
    // A second more of writes on the healed cluster, then the tally.
    await sleep(1_000)
    if (writer) writes = await writer.stop()
    writer = undefined

    // ---- convergence after the last fault
    const deadline = Date.now() + scenario.convergeWithinMs + 2_000
    for (;;) {
      const now = Date.now()
      if (observer.checkConvergence(now) && observer.faultsOpen === 0) {
        // Measured in the log's time (what made the workload whole), not when this reader saw it.
        const end = observer.lastFaultEnd ?? t0
        convergedAfterMs = Math.max(0, observer.lastWorkloadChange - end)
        recoveredAfterMs = Math.max(0, observer.lastWorkloadChange - (observer.firstFaultBegan ?? end))
        break
      }
      if (now > deadline) break
      await sleep(250)
    }
    say(convergedAfterMs !== undefined ? `converged ${(convergedAfterMs / 1000).toFixed(1)} s after the last fault` : 'did not converge')

    // ---- the control plane's projection against the log's, at the revision its lists answer with
    for (const r of PROJECTED) {
      const list = await retrying(() => callJson<{ metadata: { resourceVersion: string }; items: { metadata?: { namespace?: string; name?: string; resourceVersion?: string } }[] }>(cfg, 'GET', clusterPath(r)))
      const rev = Number(list.metadata.resourceVersion)
      const replay = await projectionAt(nc, rev)
      observer.suite.projection({ process: 'control-plane', resource: r, rev, hash: versionHash(list.items) })
      observer.suite.projection({ process: 'log replay', resource: r, rev, hash: versionHash(replay.resource(r).list() as { metadata?: { namespace?: string; name?: string; resourceVersion?: string } }[]) })
      projectionChecks.push(`${r}@${rev}`)
    }
    await observer.catchUp()
  } finally {
    await writer?.stop()
    await chaos.close()
  }
  const violations: Violation[] = observer.suite.finish()
  await observer.stop()
  await nc.drain().catch(() => {})
  const count = (name: string) => violations.filter((v) => v.invariant === name).length
  const lost = count(INVARIANTS.acknowledgedWrites)
  const report: ScenarioReport = {
    scenario: scenario.name,
    passed: violations.length === 0 && convergedAfterMs !== undefined,
    durationMs: Date.now() - started,
    faults: injected,
    writes: { ...writes, lost },
    convergedAfterMs,
    recoveredAfterMs,
    lastRev: observer.store.rev,
    invariants: [
      { name: INVARIANTS.acknowledgedWrites, checked: `${observer.suite.acks.acks} acknowledged writes`, violations: lost },
      { name: INVARIANTS.boundOnce, checked: `${observer.store.rev} log events`, violations: count(INVARIANTS.boundOnce) },
      { name: INVARIANTS.oneNodeAtOnce, checked: 'pod status reports of every node', violations: count(INVARIANTS.oneNodeAtOnce) },
      {
        name: INVARIANTS.replicaSetsConverge,
        checked: `${observer.store.replicasets.size} ReplicaSets within ${scenario.convergeWithinMs / 1000} s`,
        violations: count(INVARIANTS.replicaSetsConverge) + (convergedAfterMs === undefined ? 1 : 0),
      },
      { name: INVARIANTS.resourceVersions, checked: `log revisions 1..${observer.store.rev} and the scenario's watches`, violations: count(INVARIANTS.resourceVersions) },
      { name: INVARIANTS.projectionsAgree, checked: `control plane vs log replay at ${projectionChecks.join(', ')}`, violations: count(INVARIANTS.projectionsAgree) },
    ],
    violations: violations.map(formatViolation),
  }
  return report
}
