import { Command } from 'commander'

/**
 * `kstate chaos …`: faults on a live cluster and scenario runs. Registered from main.ts; the work
 * is in chaos.ts, loaded only when a chaos command runs. Every subcommand takes `--data-dir`: chaos
 * control needs the control plane's NATS credentials and the admin token kept there.
 */
export function registerChaos(program: Command): void {
  const chaos = program.command('chaos').description('inject faults into a running cluster (recorded in the log), list and clear them, run scenario files')
  const run = async (words: string[], o: Record<string, unknown>) => (await import('./chaos.js')).injectCommand(words, o as { dataDir: string })
  const dataDir = (c: Command) => c.option('--data-dir <dir>', 'data directory of the cluster (its NATS credentials and admin token)', '.kstate')
  const lasting = (c: Command) => dataDir(c).option('--for <duration>', 'clear the fault by itself after this long (default: until `kstate chaos clear ID`)')
  const scoped = (c: Command) =>
    lasting(c)
      .option('--process <name>', 'only the traffic of this process (control-plane or a node name) (default: every process)')
      .option('--actor <id>', 'only the input of this actor: api-server, node-controller, kubelet/<node> (default: every actor)')
  const flag = (o: Record<string, unknown>, name: string, key = name) => (o[key] === undefined || o[key] === false ? [] : o[key] === true ? [`--${name}`] : [`--${name}`, String(o[key])])
  const common = (o: Record<string, unknown>) => [...flag(o, 'for'), ...flag(o, 'process'), ...flag(o, 'actor')]

  lasting(chaos.command('kill').description('SIGKILL a node\'s process and its pods\' processes, or the control plane\'s (needs `kstate up --processes`)'))
    .argument('<target>', '`node` or `control-plane`')
    .argument('[name]', 'the node')
    .option('--restart-after <duration>', 'start it again after this long (default: when the fault is cleared)')
    .action((target: string, name: string | undefined, o) => run(['kill', target, ...(name ? [name] : []), ...flag(o, 'restart-after', 'restartAfter'), ...common(o)], o))
  lasting(chaos.command('restart').description('crash nats-server (SIGKILL) and start it again on the same port and store'))
    .argument('<target>', '`nats`')
    .option('--down <duration>', 'how long it stays down', '1s')
    .action((target: string, o) => run(['restart', target, '--down', o.down, ...common(o)], o))
  lasting(chaos.command('partition').description('drop the messages between processes A,B and C (both directions)'))
    .argument('<processes>', 'comma-separated process names: control-plane, node names')
    .requiredOption('--from <processes>', 'the other side, comma-separated')
    .option('--one-way', 'drop only the messages sent by the first side to the other', false)
    .action((a: string, o) => run(['partition', a, '--from', o.from, ...flag(o, 'one-way', 'oneWay'), ...common(o)], o))
  dataDir(chaos.command('heal').description('clear every partition')).action(async (o) => (await import('./chaos.js')).healCommand(o))
  for (const [verb, what, arg, help] of [
    ['delay', 'hold matching bus messages', '<delay>', 'e.g. 200ms or 200ms±50ms'],
    ['drop', 'drop a fraction of matching bus messages', '<percent>', 'e.g. 10%'],
    ['duplicate', 'deliver a fraction of matching bus messages twice', '<percent>', 'e.g. 10%'],
    ['reorder', 'deliver matching bus messages out of order within a window', '[window]', 'e.g. 100ms (default 100ms)'],
  ] as const) {
    scoped(chaos.command(verb).description(what))
      .argument('<subject>', 'NATS subject pattern: kstate.api.request, kstate.log.>, $KV.kstate-node-leases.*')
      .argument(arg, help)
      .action((subject: string, value: string | undefined, o) => run([verb, subject, ...(value ? [value] : []), ...common(o)], o))
  }
  lasting(chaos.command('pause').description('stop an actor\'s bus input; what arrives waits for `resume`'))
    .argument('<actor>', 'api-server, node-controller or kubelet/<node>')
    .action((actor: string, o) => run(['pause', actor, ...common(o)], o))
  dataDir(chaos.command('resume').description('resume a paused actor: its held input is delivered in order'))
    .argument('<actor>', 'the paused actor')
    .action(async (actor: string, o) => (await import('./chaos.js')).resumeCommand(actor, o))
  lasting(chaos.command('skew-clock').description('shift a node\'s clock (its Lease renewTime and status timestamps); a negative offset after `--`, past the options: `skew-clock --data-dir D NODE -- -30s`'))
    .argument('<node>', 'node name')
    .argument('<offset>', 'e.g. +30s, -1m')
    .action((node: string, offset: string, o) => run(['skew-clock', node, offset, ...common(o)], o))
  dataDir(chaos.command('clear').description('end a fault (restarts what a kill stopped)'))
    .argument('<id>', 'fault id from `kstate chaos ls`')
    .action(async (id: string, o) => (await import('./chaos.js')).clearCommand(id, o))
  dataDir(chaos.command('ls').description('list the faults in effect'))
    .option('-o, --output <format>', 'json for one object per line (default: a table)')
    .action(async (o) => (await import('./chaos.js')).listCommand(o))
  dataDir(chaos.command('run').description('apply a scenario\'s manifests, run its timeline of faults, check the invariants; exits 1 on any violation'))
    .argument('<scenario>', 'scenario file (YAML), e.g. examples/chaos/node-loss.yaml')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: DATA-DIR/kubeconfig)')
    .option('-o, --output <format>', 'json for the report as one object (default: the verdict table)')
    .action(async (file: string, o) => (await import('./chaos.js')).runCommand(file, o))
}
