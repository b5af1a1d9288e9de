#!/usr/bin/env node
/**
 * The `kstate` command. Heavy modules (xstate, NATS) are imported inside the commands that need
 * them, so client commands such as `kstate get` start in tens of milliseconds.
 */
import { Command, Option } from 'commander'
import { fail } from './fail.js'
import { registerChaos } from './commands/chaos-cli.js'
import { registerSimulate } from './commands/simulate.js'

const program = new Command()
program
  .name('kstate')
  .description('The Kubernetes control plane as an event-sourced actor system on NATS JetStream')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')

/** The kube-controller-manager and kube-apiserver flags kstate implements, with Kubernetes' names and defaults. */
const controlPlaneOptions = (c: Command) =>
  c
    .option('--node-monitor-period <duration>', 'how often the node controller checks node health', '5s')
    .option('--node-monitor-grace-period <duration>', 'how long a node may be silent before it is marked Unknown (Kubernetes ≤ 1.31 and the reference documents: 40s; 1.32: 50s)', '40s')
    .option('--node-startup-grace-period <duration>', 'how long a starting node may be silent before it is marked Unknown', '1m0s')
    .option('--node-eviction-rate <rate>', 'nodes per second tainted for eviction in a healthy zone', '0.1')
    .option('--secondary-node-eviction-rate <rate>', 'nodes per second tainted when a large zone is partially disrupted', '0.01')
    .option('--unhealthy-zone-threshold <fraction>', 'fraction of not-ready nodes (at least 3) that makes a zone partially disrupted', '0.55')
    .option('--large-cluster-size-threshold <n>', 'zones larger than this keep evicting at the secondary rate when disrupted; smaller ones stop', '50')
    .option('--default-not-ready-toleration-seconds <n>', 'tolerationSeconds admission adds for node.kubernetes.io/not-ready:NoExecute', '300')
    .option('--default-unreachable-toleration-seconds <n>', 'tolerationSeconds admission adds for node.kubernetes.io/unreachable:NoExecute', '300')
    .option('--snapshot-interval-events <n>', 'snapshot the projections every N log revisions, so a restart replays only the tail (0: never; etcd\'s --snapshot-count default)', '100000')
    .option('--inspect <mode>', 'inspection stream of every actor: on, off, or sampled:N (one macrostep in N); switchable later with `kstate inspect --mode`', 'on')

/** The kubelet flags kstate implements. */
const kubeletOptions = (c: Command, who: string) =>
  c
    .option('--max-pods <n>', `pods ${who} runs at most`, '110')
    .option('--node-status-update-frequency <duration>', `how often ${who} computes node status (default 10s)`)
    .option('--node-status-report-frequency <duration>', `how often ${who} posts an unchanged node status (default 5m0s, or --node-status-update-frequency when only that is set)`)
    .option('--node-lease-duration-seconds <n>', 'node Lease duration; the kubelet renews every quarter of it', '40')

/** A group's options as they were given, as arguments again (`kstate up --processes` hands them to its children). */
const flagArgs = (group: Command, o: Record<string, unknown>): string[] =>
  group.options.flatMap((opt) => {
    const v = o[opt.attributeName()]
    return v === undefined || v === false ? [] : v === true ? [opt.long!] : [opt.long!, String(v)]
  })

const kubeconfigOption = () => new Option('--kubeconfig <path>', 'kubeconfig of the cluster (default: $KUBECONFIG, else ./.kstate/kubeconfig)')
const namespaceOption = () => new Option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context\'s, "default")')

const up = program
  .command('up')
  .description('start a cluster in the foreground: nats-server, control plane and N nodes; writes DIR/kubeconfig')
  .option('--nodes <n>', 'number of nodes to run in this process', '3')
  .option('--data-dir <dir>', 'cluster data directory (NATS store, kubeconfig, logs)', '.kstate')
  .option('--api-port <port>', 'port of the Kubernetes API (0 picks a free one)', '6443')
  .option('--nats-url <url>', 'use this NATS server (JetStream enabled) instead of starting one from nats.conf')
  .option('--node-cpu <quantity>', 'cpu capacity of each node (default: the host\'s cores)')
  .option('--node-memory <quantity>', 'memory capacity of each node (default: the host\'s memory)')
  .option('--processes', 'run the control plane and each node as supervised child processes (what `kstate chaos kill` kills)', false)
  .option('--ui', 'also serve the web page (as `kstate ui`) on 127.0.0.1', false)
  .option('--ui-port <port>', 'port of the web page with --ui (0 picks a free one)', '8001')
kubeletOptions(controlPlaneOptions(up), 'each node').action(async (o) =>
  (await import('./commands/up.js')).upCommand(o, { controlPlane: flagArgs(controlPlaneOptions(new Command()), o), kubelet: flagArgs(kubeletOptions(new Command(), ''), o) }),
)

const cp = program
  .command('control-plane')
  .description('run the control plane alone (api-server, scheduler, controllers) against an existing NATS with JetStream')
  .option('--nats-url <url>', 'NATS URL with the control-plane user\'s credentials (nats://control-plane:PASSWORD@host:port; default: the NATS and credentials of --data-dir\'s cluster)')
  .option('--data-dir <dir>', 'where the kubeconfig, API certificates and admin token are kept', '.kstate')
  .option('--api-port <port>', 'port of the Kubernetes API (0 picks a free one)', '6443')
controlPlaneOptions(cp).action(async (o) => (await import('./commands/control-plane.js')).controlPlaneCommand(o))

const nodeCmd = program
  .command('node')
  .description('run one node (kubelet + container runtime) as its own process, joining a cluster')
  .requiredOption('--name <name>', 'node name')
  .option('--data-dir <dir>', 'data directory of a cluster started with `kstate up` (finds NATS and the node credentials)', '.kstate')
  .option('--nats-url <url>', 'NATS URL with the node user\'s credentials (nats://node:PASSWORD@host:port)')
  .option('--cpu <quantity>', 'cpu capacity (default: the host\'s cores)')
  .option('--memory <quantity>', 'memory capacity (default: the host\'s memory)')
  .option('--inspect <mode>', 'inspection stream of the kubelet and pod workers: on, off, or sampled:N', 'on')
kubeletOptions(nodeCmd, 'the node').action(async (o) => (await import('./commands/node.js')).nodeCommand(o))

program
  .command('apply')
  .description('create or update objects from a YAML/JSON file (multi-document) or stdin')
  .requiredOption('-f, --filename <file>', 'file to apply, or - for stdin')
  .addOption(namespaceOption())
  .addOption(kubeconfigOption())
  .action(async (o) => (await import('./commands/apply.js')).applyCommand(o))

program
  .command('get')
  .description('list pods, nodes or replicasets, or show one')
  .argument('<resource>', 'pods (po), nodes (no) or replicasets (rs)')
  .argument('[name]', 'object name')
  .addOption(new Option('-o, --output <format>', 'output format').choices(['wide', 'json', 'yaml', 'name']))
  .option('-A, --all-namespaces', 'list across all namespaces', false)
  .option('-l, --selector <selector>', 'label selector, e.g. app=web')
  .option('-w, --watch', 'after listing, watch for changes', false)
  .option('--at <rev|time>', 'as the cluster was at this revision or RFC 3339 time (default: now)')
  .addOption(namespaceOption())
  .addOption(kubeconfigOption())
  .action(async (resource, name, o) => (await import('./commands/get.js')).getCommand(resource, name, o))

program
  .command('logs')
  .description('print the logs of a pod\'s container')
  .argument('<pod>', 'pod name')
  .option('-f, --follow', 'stream new output until the container ends', false)
  .option('-c, --container <name>', 'container (default: the first)')
  .option('--tail <n>', 'lines from the end to show (-1: all)', '-1')
  .addOption(namespaceOption())
  .addOption(kubeconfigOption())
  .action(async (pod, o) => (await import('./commands/logs.js')).logsCommand(pod, o))

program
  .command('delete')
  .description('delete a pod (graceful: SIGTERM, then SIGKILL after the grace period), a replicaset (and its pods) or a node')
  .argument('<resource>', 'pod, replicaset (rs) or node')
  .argument('<name>', 'object name')
  .option('--grace-period <seconds>', 'seconds before SIGKILL (-1: the pod\'s terminationGracePeriodSeconds)', '-1')
  .option('--now', 'same as --grace-period=1', false)
  .option('--wait', 'wait until the object is gone', true)
  .option('--no-wait', 'return as soon as deletion is accepted')
  .addOption(namespaceOption())
  .addOption(kubeconfigOption())
  .action(async (resource, name, o) => (await import('./commands/delete.js')).deleteCommand(resource, name, o))

program
  .command('scale')
  .description('set the number of replicas of a replicaset')
  .argument('<resource>', 'replicaset (rs)')
  .argument('<name>', 'replicaset name')
  .requiredOption('--replicas <n>', 'the new desired number of replicas')
  .addOption(namespaceOption())
  .addOption(kubeconfigOption())
  .action(async (resource, name, o) => (await import('./commands/scale.js')).scaleCommand(resource, name, o))

program
  .command('events')
  .description('the cluster\'s event log: revision, type, object, actor, cause')
  .option('-f, --follow', 'keep printing new events', false)
  .option('--since <rev>', 'first revision to show', '1')
  .option('--until <rev>', 'last revision to show (default: the newest)')
  .option('--type <types>', 'only these event types, comma-separated and exact, e.g. PodEvicted,NodeTainted (default: all)')
  .option('--object <kind/name>', 'only this object: pod/NAME (namespace from -n), pod/NAMESPACE/NAME, node/NAME, rs/NAME (default: all)')
  .addOption(new Option('-o, --output <format>', 'output format').choices(['json']))
  .addOption(namespaceOption())
  .addOption(kubeconfigOption())
  .action(async (o) => (await import('./commands/events.js')).eventsCommand(o))

program
  .command('diff')
  .description('objects added, changed (with field paths) and removed between two revisions')
  .requiredOption('--from <rev|time>', 'the earlier revision or RFC 3339 time')
  .option('--to <rev|time>', 'the later revision or RFC 3339 time (default: now)')
  .addOption(new Option('-o, --output <format>', 'output format').choices(['json']))
  .addOption(kubeconfigOption())
  .action(async (o) => (await import('./commands/diff.js')).diffCommand(o))

program
  .command('why')
  .description('the causal chain behind an object\'s state: each event with revision, actor and reason, following cause back to a user\'s request')
  .argument('<object>', 'pod/NAME, pod/NAMESPACE/NAME, node/NAME or rs/NAME')
  .option('--at <rev|time>', 'explain the object as it was at this revision or RFC 3339 time (default: now)')
  .addOption(new Option('-o, --output <format>', 'output format').choices(['json']))
  .addOption(namespaceOption())
  .addOption(kubeconfigOption())
  .action(async (object, o) => (await import('./commands/why.js')).whyCommand(object, o))

const replay = program
  .command('replay')
  .description('serve the cluster as it was at a revision or time, read-only, to kstate and kubectl (--to); or re-execute a recorded history and compare every decision (--verify)')
  .option('--to <rev|time>', 'the revision or RFC 3339 time to serve')
  .option('--api-port <port>', 'port of the read-only API (0 picks a free one)', '6444')
  .option('--data-dir <dir>', 'the cluster\'s data directory: its store (a stopped cluster\'s too) and API certificates (default: .kstate)')
  .option('--nats-url <url>', 'read the log from this NATS (with credentials) instead of --data-dir\'s')
  .option('--write-kubeconfig <path>', 'where the replay\'s kubeconfig is written, mode 0600 (default: DIR/replay.kubeconfig)')
  .option('--verify [file]', 're-execute the scheduler and controllers on this export (or on --data-dir\'s stopped cluster) and report the first divergence')
  .option('--tolerance <duration>', 'with --verify: how much earlier than recorded a decision may be re-made (default: the verifier\'s)')
  .option('--node-monitor-period <duration>', 'with --verify: as the control plane\'s flag (default: the history\'s, else 5s)')
  .option('--node-monitor-grace-period <duration>', 'with --verify: as the control plane\'s flag (default: the history\'s, else 40s)')
  .option('--node-startup-grace-period <duration>', 'with --verify: as the control plane\'s flag (default: the history\'s, else 1m0s)')
  .option('--node-eviction-rate <rate>', 'with --verify: as the control plane\'s flag (default: the history\'s, else 0.1)')
  .option('--secondary-node-eviction-rate <rate>', 'with --verify: as the control plane\'s flag (default: the history\'s, else 0.01)')
  .option('--unhealthy-zone-threshold <fraction>', 'with --verify: as the control plane\'s flag (default: the history\'s, else 0.55)')
  .option('--large-cluster-size-threshold <n>', 'with --verify: as the control plane\'s flag (default: the history\'s, else 50)')
replay.action(async (o) => (await import('./commands/replay.js')).replayCommand(o))

program
  .command('export')
  .description('write the event log to a self-describing, checksummed file (header, msgpack frames, SHA-256)')
  .requiredOption('-o, --output <file>', 'the file to write')
  .option('--until <rev|time>', 'last revision (or RFC 3339 time) to include (default: the newest)')
  .option('--data-dir <dir>', 'read the log from this cluster\'s store (a stopped cluster too) instead of its API (default: the API of the kubeconfig)')
  .option('--nats-url <url>', 'read the log from this NATS (with credentials) instead of the API (default: the API of the kubeconfig)')
  .addOption(kubeconfigOption())
  .action(async (o) => (await import('./commands/export.js')).exportCommand(o))

program
  .command('import')
  .description('start a new cluster store from an export file (same objects, uids and resourceVersions); a truncated or altered file is refused')
  .argument('<file>', 'the export file')
  .requiredOption('--data-dir <dir>', 'a new data directory for the imported cluster')
  .action(async (file, o) => (await import('./commands/import.js')).importCommand(file, o))

program
  .command('ui')
  .description('serve the web page (cluster, statecharts, timeline) on 127.0.0.1, forwarding reads to the API with the kubeconfig\'s token, like kubectl proxy')
  .option('--port <port>', 'local port of the page (0 picks a free one; kubectl proxy\'s default)', '8001')
  .addOption(kubeconfigOption())
  .action(async (o) => (await import('./commands/ui.js')).uiCommand(o))

registerChaos(program)
registerSimulate(program)

program
  .command('inspect')
  .description('the statecharts of every process: list actors, show one (state, context), follow its transitions, draw its machine')
  .argument('[actor]', 'actor id (scheduler, node-controller/NODE, kubelet/NODE/pod/NS/NAME), or a prefix to list or follow the actors under it')
  .option('-f, --follow', 'print transitions as they happen: HH:MM:SS.mmm from → to on EVENT (source)', false)
  .option('--all', 'with -f: also events that change no state, and actions', false)
  .addOption(new Option('--diagram <format>', 'draw the actor\'s machine, current state marked').choices(['mermaid', 'dot', 'svg', 'json']))
  .option('--mode <mode>', 'switch the inspection stream of ACTOR and the actors under it (all without ACTOR): on, off, sampled:N')
  .addOption(new Option('-o, --output <format>', 'output format (default: a table, or the actor\'s state and context)').choices(['json', 'yaml']))
  .addOption(kubeconfigOption())
  .action(async (actor, o) => (await import('./commands/inspect.js')).inspectCommand(actor, o))

program
  .command('explain')
  .description('why the scheduler placed a pod where it did: per node, the filter that rejected it or its scores, and the result')
  .argument('<pod>', 'pod/NAME')
  .addOption(new Option('-o, --output <format>', 'output format (default: text)').choices(['json']))
  .addOption(namespaceOption())
  .addOption(kubeconfigOption())
  .action(async (pod, o) => (await import('./commands/explain.js')).explainCommand(pod, o))

program.parseAsync(process.argv).catch(fail)
