/**
 * node-failure: 5,000 simulated nodes in 10 zones, 50,000 ReplicaSet pods; the 500 nodes of one
 * zone go silent. Everything runs on the virtual clock: the real scheduler, node lifecycle, taint
 * eviction and ReplicaSet controllers, the api-server's planning over an in-memory log, KWOK-style
 * nodes. The run checks that exactly those nodes are tainted, exactly their pods evicted and
 * replaced elsewhere, and that the zone's taints respect --node-eviction-rate; it exits non-zero
 * otherwise. value = simulated seconds per wall second of the failure phase; baseline = real time.
 *
 *   npm run bench -- node-failure [--nodes 5000] [--pods 50000] [--zone-size 500]
 */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { VirtualClock } from '../runtime/clock/virtual-clock.js'
import { logger, setLogLevel } from '../runtime/log.js'
import { simReplicaSet, startSimCluster } from '../runtime/sim/sim-cluster.js'
import { peakRssMb, report } from './report.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const NODES = arg('nodes', 5_000)
const PODS = arg('pods', 50_000)
const ZONE_SIZE = arg('zone-size', 500)
const REPLICASETS = 10
const EVICTION_RATE = 0.1

setLogLevel('error')
const log = logger('bench')
const failures: string[] = []
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) failures.push(what)
}
/** Progress on stderr: rewritten in place on a terminal, a line a simulated minute otherwise. */
let lastProgress = 0
const progress = (line: string) => {
  const tty = process.stderr.isTTY
  const minute = Math.floor(clock.now() / 60_000)
  if (!tty && minute === lastProgress) return
  lastProgress = minute
  process.stderr.write(tty ? `\r${line}   ` : `${line}\n`)
}

const clock = new VirtualClock(Date.UTC(2026, 10, 23, 12, 0, 0))
const setupSimStart = clock.now()
const setupStarted = performance.now()
const sim = await startSimCluster({ clock, nodes: NODES, zoneSize: ZONE_SIZE, log })
const rsTemplate = (i: number) => simReplicaSet(`app-${i}`, PODS / REPLICASETS)
for (let i = 0; i < REPLICASETS; i++) {
  const r = await sim.api.request({ verb: 'create', resource: 'replicasets', namespace: 'default', object: rsTemplate(i) }, { user: 'admin' })
  if (!r.ok) throw new Error(r.status.message)
}
const running = () => {
  let n = 0
  for (const key of sim.store.pods.keys()) {
    const p = sim.store.pods.get(key)!
    if (p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp) n++
  }
  return n
}
/**
 * Pods per category, kept as they change: the run's stop condition is checked every 10 simulated
 * seconds, and walking 50,000 pods for it cost as much as a third of the cluster's work. The
 * final checks walk every pod again.
 */
function podCounts(classify: (p: Pod) => string | undefined) {
  const counts = new Map<string, number>()
  const was = new Map<string, string>()
  const sub = sim.store.pods.changes$.subscribe((c) => {
    const key = `${c.object.metadata?.namespace}/${c.object.metadata?.name}`
    const before = was.get(key)
    const now = c.type === 'DELETED' ? undefined : classify(c.object)
    if (before === now) return
    if (before !== undefined) counts.set(before, counts.get(before)! - 1)
    if (now === undefined) was.delete(key)
    else {
      counts.set(now, (counts.get(now) ?? 0) + 1)
      was.set(key, now)
    }
  })
  return { of: (category: string) => counts.get(category) ?? 0, stop: () => sub.unsubscribe() }
}
/** Checks every 10 simulated seconds. */
const every10s = (check: () => boolean) => () => Math.floor(clock.now() / 1000) % 10 === 0 && check()
const setupCounts = podCounts((p) => (p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp ? 'running' : undefined))
await sim.run(3_600_000, 1_000, every10s(() => {
  const n = setupCounts.of('running')
  progress(`setup: t+${Math.round((clock.now() - setupSimStart) / 1000)} s, ${n}/${PODS} pods running`)
  return n >= PODS
}))
setupCounts.stop()
if (process.stderr.isTTY) process.stderr.write('\n')
const setupWall = (performance.now() - setupStarted) / 1000
const lastCount = running()
check(lastCount === PODS, `setup: ${PODS} pods Running on ${NODES} nodes (${setupWall.toFixed(1)} s wall)`)

// ---- the failure: one zone's nodes go silent
const zoneNodes = sim.nodes.names.filter((_, i) => sim.nodes.zoneOf(i) === 'zone-3')
const silent = new Set(zoneNodes)
const podsOnSilent = new Set(sim.store.pods.list().filter((p) => silent.has(p.spec?.nodeName ?? '')).map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`))
const failureCounts = podCounts((p) => {
  if (p.metadata?.deletionTimestamp) return undefined
  if (silent.has(p.spec?.nodeName ?? '')) return 'onSilent'
  return p.status?.phase === 'Running' ? 'active' : undefined
})
const logStart = sim.api.log.length
const simStart = clock.now()
const wallStart = performance.now()
// CPU time too: on a shared machine the wall time says as much about the neighbours as about the run.
const cpuStart = process.cpuUsage()
for (const n of zoneNodes) sim.nodes.silence(n)

const replaced = () => {
  let active = 0
  let onSilent = 0
  for (const key of sim.store.pods.keys()) {
    const p = sim.store.pods.get(key)!
    if (p.metadata?.deletionTimestamp) continue
    if (silent.has(p.spec?.nodeName ?? '')) onSilent++
    else if (p.status?.phase === 'Running') active++
  }
  return { active, onSilent }
}
await sim.run(3 * 3_600_000, 1_000, every10s(() => {
  const r = { active: failureCounts.of('active'), onSilent: failureCounts.of('onSilent') }
  progress(`failure: t+${Math.round((clock.now() - simStart) / 1000)} s, ${r.active} replicas running, ${r.onSilent} left on silent nodes`)
  return r.onSilent === 0 && r.active === PODS
}))
failureCounts.stop()
if (process.stderr.isTTY) process.stderr.write('\n')
const simSeconds = (clock.now() - simStart) / 1000
const wallSeconds = (performance.now() - wallStart) / 1000
const cpu = process.cpuUsage(cpuStart)
const cpuSeconds = (cpu.user + cpu.system) / 1e6

// ---- what the log says happened
const after = sim.api.log.slice(logStart).map((e, i) => ({ ...e, rev: logStart + i + 1 }))
const nodeOf = (subject: string) => subject.split('.').pop()!.replaceAll('~', '.')
const taints = after.filter((e) => e.event.type === 'NodeTainted')
const taintedNodes = new Set(taints.map((e) => nodeOf(e.subject)))
check(taintedNodes.size === silent.size && [...taintedNodes].every((n) => silent.has(n)), `exactly the ${silent.size} silent nodes tainted (${taintedNodes.size} tainted)`)
check(taints.every((e) => (e.event.data as { taint: { key: string } }).taint.key === 'node.kubernetes.io/unreachable'), 'every taint is node.kubernetes.io/unreachable:NoExecute')
const evictions = after.filter((e) => e.event.type === 'PodEvicted')
const evictedPods = new Set(evictions.map((e) => `default/${nodeOf(e.subject)}`))
check(evictedPods.size === podsOnSilent.size && [...evictedPods].every((p) => podsOnSilent.has(p)), `exactly their ${podsOnSilent.size} pods evicted (${evictedPods.size} evicted)`)
const final = replaced()
check(final.active === PODS && final.onSilent === 0, `all ${PODS} replicas Running off the silent nodes (${final.active})`)
const times = taints.map((e) => e.event.at).sort((a, b) => a - b)
let minGap = Infinity
for (let i = 1; i < times.length; i++) minGap = Math.min(minGap, times[i] - times[i - 1])
check(minGap >= 1000 / EVICTION_RATE - 1, `zone taints respect --node-eviction-rate ${EVICTION_RATE}/s (closest two: ${(minGap / 1000).toFixed(1)} s apart)`)
const firstUnknown = after.find((e) => e.event.type === 'NodeConditionChanged')
const unknownAt = firstUnknown ? (firstUnknown.event.at - simStart) / 1000 : NaN
const firstEviction = evictions[0] ? (evictions[0].event.at - simStart) / 1000 : NaN
console.log(`timeline: first Unknown at t+${unknownAt} s, first eviction at t+${firstEviction} s, all replaced at t+${simSeconds} s (simulated)`)
check(unknownAt >= 30 && unknownAt <= 46, 'first node Unknown ~40 s after going silent')
check(firstEviction >= unknownAt + 299 && firstEviction <= unknownAt + 312, 'first eviction ~300 s after its taint')
console.log(`failure phase: ${simSeconds.toFixed(0)} simulated s in ${wallSeconds.toFixed(1)} wall s (${cpuSeconds.toFixed(1)} s of CPU); log writes ${sim.api.log.length}; peak RSS ${peakRssMb()} MB`)
await sim.stop()
report({ bench: 'node-failure', unit: 'simulated s / wall s', value: simSeconds / wallSeconds, baseline: 'real-time', baselineValue: 1 })
process.exit(failures.length === 0 ? 0 : 1)
