/**
 * Diagrams of a machine with nested and parallel states and `after` delays: Mermaid, DOT and SVG
 * from `machine.toJSON()` (as the registry serves it), the current state marked, delays named and
 * resolved, parallel regions dashed.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { setup } from 'xstate'
import { diagramModel, goDuration, renderDiagram, toDot, toMermaid, toSvg } from '../../../runtime/inspect/diagram/index.js'
import { machineDefinition } from '../../../runtime/inspect/inspection.js'
import { jsonSafe } from '../../../runtime/inspect/json-safe.js'

const machine = setup({
  types: { context: {} as { graceMs: number } },
  delays: { nodeMonitorGracePeriod: ({ context }) => context.graceMs },
  guards: { tainted: () => false },
}).createMachine({
  id: 'node',
  context: { graceMs: 40_000 },
  initial: 'boot',
  states: {
    boot: { always: [{ guard: 'tainted', target: 'monitoring.taint.tainted' }, { target: 'monitoring' }] },
    monitoring: {
      type: 'parallel',
      states: {
        health: {
          initial: 'ready',
          states: {
            ready: { after: { nodeMonitorGracePeriod: 'unknown' }, on: { CHECK: { target: 'ready', reenter: true } } },
            unknown: { after: { 5000: 'gone' }, on: { STATUS: 'ready' } },
            gone: { type: 'final' },
          },
        },
        taint: { initial: 'none', states: { none: { on: { TAINT: 'tainted.unreachable' } }, tainted: { initial: 'unreachable', states: { unreachable: {}, notReady: {} } } } },
      },
    },
  },
})
// As the gateway receives it: through the registry's JSON-safe copy.
const definition = jsonSafe(machineDefinition(machine as never), { budget: 1e7, maxDepth: 64, maxItems: 1000 }).value
const value = { monitoring: { health: 'ready', taint: { tainted: 'unreachable' } } }
const model = diagramModel(definition, value, { nodeMonitorGracePeriod: 40_000 })

test('the model: states in document order, current leaves and ancestors, after delays resolved by name', () => {
  assert.equal(model.states.map((s) => `${s.id}:${s.kind}`), [
    'node:compound', 'node.boot:atomic', 'node.monitoring:parallel', 'node.monitoring.health:compound', 'node.monitoring.health.ready:atomic',
    'node.monitoring.health.unknown:atomic', 'node.monitoring.health.gone:final', 'node.monitoring.taint:compound', 'node.monitoring.taint.none:atomic',
    'node.monitoring.taint.tainted:compound', 'node.monitoring.taint.tainted.unreachable:atomic', 'node.monitoring.taint.tainted.notReady:atomic',
  ])
  assert.equal(model.current, ['node', 'node.monitoring', 'node.monitoring.health', 'node.monitoring.health.ready', 'node.monitoring.taint', 'node.monitoring.taint.tainted', 'node.monitoring.taint.tainted.unreachable'])
  const labels = model.edges.map((e) => `${e.from.slice(5)} -${e.label}-> ${e.to.slice(5)}`)
  for (const l of [
    'monitoring.health.ready -after nodeMonitorGracePeriod (40s)-> monitoring.health.unknown',
    'monitoring.health.unknown -after 5s-> monitoring.health.gone',
    'monitoring.health.ready -CHECK-> monitoring.health.ready',
    'boot -always [tainted]-> monitoring.taint.tainted',
    'boot -always-> monitoring',
    'monitoring.taint.none -TAINT-> monitoring.taint.tainted.unreachable',
  ]) assert.ok(labels.includes(l), `${l} in\n${labels.join('\n')}`)
})

test('an unresolvable delay keeps its name; Go durations', () => {
  const m = diagramModel(definition, undefined, undefined)
  assert.ok(m.edges.some((e) => e.label === 'after nodeMonitorGracePeriod'))
  assert.equal(m.current, [])
  assert.equal([40_000, 300_000, 1_500, 100, 3_600_000].map(goDuration), ['40s', '5m0s', '1.5s', '100ms', '1h0m0s'])
})

test('mermaid: a flowchart with subgraphs, dashed parallel regions, current states classed', () => {
  const text = toMermaid(model)
  assert.ok(text.startsWith('flowchart TB\n'))
  assert.match(text, /subgraph s2\["monitoring \(parallel\)"\]/)
  assert.match(text, /style s3 stroke-dasharray: 5 5/) // health, a region of the parallel state
  assert.match(text, /s4 -->\|"after nodeMonitorGracePeriod \(40s\)"\| s5/)
  assert.match(text, /s6\(\(\("gone"\)\)\)/)
  assert.match(text, /class s2,s3,s4,s7,s9,s10 current/)
})

test('dot: clusters, dashed regions, lhead into composite states, filled current states', () => {
  const text = toDot(model)
  assert.match(text, /^digraph "node" \{\n {2}compound=true;/)
  assert.match(text, /subgraph cluster_s3 \{\n\s+label="health"; id="node.monitoring.health"; labeljust=l;\n\s+style="dashed,rounded"; color="#e65100"; penwidth=2;/)
  assert.match(text, /s4 \[label="ready", id="node.monitoring.health.ready", style="rounded,filled,bold"/)
  assert.match(text, /s5 \[label="unknown", id="node.monitoring.health.unknown"\];/)
  assert.match(text, /s4 -> s5 \[label="after nodeMonitorGracePeriod \(40s\)"\];/)
  assert.match(text, /s1 -> s9_init \[label="always \[tainted\]", lhead=cluster_s9\];/)
})

test('svg: self-contained, one group per state with data-state-id, current ones classed, regions dashed', () => {
  const svg = toSvg(model)
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" class="kstate-statechart" data-machine="node"'))
  assert.not.match(svg, /https?:\/\/(?!www\.w3\.org)/) // nothing loaded from elsewhere
  assert.match(svg, /<style>/)
  const groups = [...svg.matchAll(/<g class="state ([^"]+)" data-state-id="([^"]+)">/g)].map((m) => `${m[2]}: ${m[1]}`)
  assert.equal(groups.sort(), [
    'node.boot: atomic',
    'node.monitoring.health.gone: final',
    'node.monitoring.health.ready: atomic current',
    'node.monitoring.health.unknown: atomic',
    'node.monitoring.health: compound region current',
    'node.monitoring.taint.none: atomic',
    'node.monitoring.taint.tainted.notReady: atomic',
    'node.monitoring.taint.tainted.unreachable: atomic current',
    'node.monitoring.taint.tainted: compound current',
    'node.monitoring.taint: compound region current',
    'node.monitoring: parallel current',
  ])
  assert.match(svg, /\.state\.region>rect\{fill:none;stroke-dasharray/)
  assert.match(svg, />after nodeMonitorGracePeriod \(40s\)</)
  assert.match(svg, /data-from="node.monitoring.health.ready" data-to="node.monitoring.health.unknown"/)
  // Every coordinate is a number: the layout ran.
  assert.not.match(svg, /NaN|undefined/)
})

test('json is the model; a definition that is no machine is refused', () => {
  assert.equal(JSON.parse(renderDiagram('json', definition, value, { nodeMonitorGracePeriod: 40_000 })), JSON.parse(JSON.stringify(model)))
  assert.throws(() => diagramModel({ nope: true }), /not a machine definition/)
})

test('a machine without states is one state with its handlers as loops', () => {
  const flat = setup({}).createMachine({ id: 'flat', on: { PING: { actions: () => {} } } })
  const d = jsonSafe(machineDefinition(flat as never), { budget: 1e6, maxDepth: 64 }).value
  const svg = renderDiagram('svg', d, {} as never)
  assert.match(svg, /data-state-id="flat"/)
  assert.match(svg, /data-event="PING"/)
  assert.match(renderDiagram('mermaid', d), /s0 -.->\|"PING"\| s0/)
})

test.run()
