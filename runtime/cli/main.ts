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

const kubeconfigOption = () => new Option('--kubeconfig <path>', 'kubeconfig of the cluster (default: $KUBECONFIG, else ./.kstate/kubeconfig)')
const namespaceOption = () => new Option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context\'s, "default")')

program
  .command('up')
  .description('start a cluster in the foreground: nats-server, control plane and N nodes; writes DIR/kubeconfig')
  .option('--nodes <n>', 'number of nodes to run in this process', '3')
  .option('--data-dir <dir>', 'cluster data directory (NATS store, kubeconfig, logs)', '.kstate')
  .option('--api-port <port>', 'port of the Kubernetes API (0 picks a free one)', '6443')
  .option('--nats-url <url>', 'use this NATS server (JetStream enabled) instead of starting one from nats.conf')
  .option('--node-cpu <quantity>', 'cpu capacity of each node (default: the host\'s cores)')
  .option('--node-memory <quantity>', 'memory capacity of each node (default: the host\'s memory)')
  .option('--max-pods <n>', 'pods per node (kubelet --max-pods)', '110')
  .option('--node-status-update-frequency <duration>', 'how often kubelets compute node status (default 10s)')
  .option('--node-status-report-frequency <duration>', 'how often kubelets post an unchanged node status (default 5m0s, or --node-status-update-frequency when only that is set)')
  .option('--node-lease-duration-seconds <n>', 'node Lease duration; kubelets renew every quarter of it', '40')
  .action(async (o) => (await import('./commands/up.js')).upCommand(o))

program
  .command('node')
  .description('run one node (kubelet + container runtime) as its own process, joining a cluster')
  .requiredOption('--name <name>', 'node name')
  .option('--data-dir <dir>', 'data directory of a cluster started with `kstate up` (finds NATS and the node credentials)', '.kstate')
  .option('--nats-url <url>', 'NATS URL with the node user\'s credentials (nats://node:PASSWORD@host:port)')
  .option('--cpu <quantity>', 'cpu capacity (default: the host\'s cores)')
  .option('--memory <quantity>', 'memory capacity (default: the host\'s memory)')
  .option('--max-pods <n>', 'pods this node runs at most', '110')
  .option('--node-status-update-frequency <duration>', 'how often the kubelet computes node status (default 10s)')
  .option('--node-status-report-frequency <duration>', 'how often the kubelet posts an unchanged node status (default 5m0s, or --node-status-update-frequency when only that is set)')
  .option('--node-lease-duration-seconds <n>', 'Lease duration; the kubelet renews every quarter of it', '40')
  .action(async (o) => (await import('./commands/node.js')).nodeCommand(o))

program
  .command('apply')
  .description('create or update objects from a YAML/JSON file (multi-document) or stdin')
  .requiredOption('-f, --filename <file>', 'file to apply, or - for stdin')
  .addOption(namespaceOption())
  .addOption(kubeconfigOption())
  .action(async (o) => (await import('./commands/apply.js')).applyCommand(o))

program
  .command('get')
  .description('list pods or nodes, or show one')
  .argument('<resource>', 'pods (po) or nodes (no)')
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
  .description('delete a pod (graceful: SIGTERM, then SIGKILL after the grace period) or a node')
  .argument('<resource>', 'pod or node')
  .argument('<name>', 'object name')
  .option('--grace-period <seconds>', 'seconds before SIGKILL (-1: the pod\'s terminationGracePeriodSeconds)', '-1')
  .option('--now', 'same as --grace-period=1', false)
  .option('--wait', 'wait until the object is gone', true)
  .option('--no-wait', 'return as soon as deletion is accepted')
  .addOption(namespaceOption())
  .addOption(kubeconfigOption())
  .action(async (resource, name, o) => (await import('./commands/delete.js')).deleteCommand(resource, name, o))

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
