#!/usr/bin/env node
/**
 * The `kstate` command. Heavy modules (xstate, NATS) are imported inside the commands that need
 * them, so client commands such as `kstate get` start in tens of milliseconds.
 */
import { Command, Option } from 'commander'
import { fail } from './fail.js'

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

/** The kubelet flags kstate implements. */
const kubeletOptions = (c: Command, who: string) =>
  c
    .option('--max-pods <n>', `pods ${who} runs at most`, '110')
    .option('--node-status-update-frequency <duration>', `how often ${who} computes node status (default 10s)`)
    .option('--node-status-report-frequency <duration>', `how often ${who} posts an unchanged node status (default 5m0s, or --node-status-update-frequency when only that is set)`)
    .option('--node-lease-duration-seconds <n>', 'node Lease duration; the kubelet renews every quarter of it', '40')

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
kubeletOptions(controlPlaneOptions(up), 'each node').action(async (o) => (await import('./commands/up.js')).upCommand(o))

const cp = program
  .command('control-plane')
  .description('run the control plane alone (api-server, scheduler, controllers) against an existing NATS with JetStream')
  .requiredOption('--nats-url <url>', 'NATS URL with the control-plane user\'s credentials (nats://control-plane:PASSWORD@host:port)')
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
  .option('--until <rev>', 'last revision to show')
  .addOption(new Option('-o, --output <format>', 'output format').choices(['json']))
  .addOption(kubeconfigOption())
  .action(async (o) => (await import('./commands/events.js')).eventsCommand(o))

program.parseAsync(process.argv).catch(fail)
