import { createActor, setup, assign } from 'xstate'
const m = setup({}).createMachine({ id: 'm', context: { n: 0 }, initial: 'a', states: { a: { on: { X: { actions: assign({ n: ({ context }) => context.n + 1 }) } } } } })
const a = createActor(m, { inspect: process.argv[2] === 'noop' ? () => {} : undefined }).start()
for (let r = 0; r < 4; r++) {
  const t = performance.now()
  for (let i = 0; i < 100000; i++) a.send({ type: 'X' })
  global.gc?.()
  console.log(process.argv[2], (((performance.now() - t) * 1000) / 100000).toFixed(2), 'µs', Math.round(process.memoryUsage().heapUsed / 1e6), 'MB')
}
