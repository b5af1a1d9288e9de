import { loadClientConfig } from '../../cluster/kubeconfig.js'
import { startUiServer } from '../../ui/server.js'
import { intOption, rootLogger, runUntilSignal } from './process.js'

/** `kstate ui`: the web page on 127.0.0.1, forwarding reads to the cluster with the kubeconfig's token (kubectl proxy's model). */
export async function uiCommand(o: { port: string; kubeconfig?: string }): Promise<void> {
  const log = rootLogger()
  const client = loadClientConfig(o.kubeconfig)
  const ui = await startUiServer({ port: intOption(o.port, 'port'), client, log: log.child('ui') })
  runUntilSignal(log, () => ui.stop())
  process.stdout.write(`kstate ui: ${ui.url} (API ${client.server}; Ctrl-C stops it)\n`)
}
