import { createActor } from 'xstate'
import { schedulerMachine } from '/work/main/actors/scheduler/scheduler.ts'
import { VirtualClock } from '/work/main/runtime/clock/virtual-clock.ts'
import { node, pod } from '/work/main/test/actors/scheduler/builders.ts'
const clock = new VirtualClock()
const a = createActor(schedulerMachine, { clock }); let binds = 0
a.on('BindPod', (c) => { binds++; queueMicrotask(() => {}) })
a.start()
const N = 1000, P = 5000
for (let i = 0; i < N; i++) a.send({ type: 'NODE_UPSERTED', node: node(`n${String(i).padStart(4, '0')}`, { cpu: '16', memory: '64Gi' }) })
const t = performance.now()
for (let i = 0; i < P; i++) a.send({ type: 'POD_UPSERTED', pod: pod(`p${i}`, { cpu: '100m', memory: '64Mi' }), rev: i + 1 })
console.log({ binds, ms: Math.round(performance.now() - t), perPod: ((performance.now() - t) / P).toFixed(2) })
