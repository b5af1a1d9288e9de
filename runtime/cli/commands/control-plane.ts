import { startControlPlane } from '../../cluster/control-plane.js'
import { loadOrCreateCredentials, readEndpoints, writeEndpoints } from '../../cluster/data-dir.js'
import { writeKubeconfig } from '../../cluster/kubeconfig.js'
import { loadOrCreateTls } from '../../cluster/tls.js'
import { parseNatsUrl } from '../../nats/connect.js'
import { parseDuration } from '../duration.js'
import { controlPlaneFlags, intOption, rootLogger, runUntilSignal, type ControlPlaneFlagOptions } from './process.js'

/** `kstate control-plane --nats-url URL`: the control plane alone, on a NATS someone else runs (or, without the URL, the data dir's: `kstate up --processes` starts it so). */
export async function controlPlaneCommand(o: ControlPlaneFlagOptions & { natsUrl?: string; dataDir: string; apiPort: string }): Promise<void> {
  const log = rootLogger()
  const creds = loadOrCreateCredentials(o.dataDir)
  const tls = await loadOrCreateTls(o.dataDir)
  const nats = o.natsUrl ? parseNatsUrl(o.natsUrl) : { url: readEndpoints(o.dataDir).natsUrl, user: 'control-plane', pass: creds.controlPlanePassword }
  const cp = await startControlPlane({ nats, apiPort: intOption(o.apiPort, 'api-port'), adminToken: creds.adminToken, tls, flags: controlPlaneFlags(o, parseDuration), log })
  writeEndpoints(o.dataDir, { natsUrl: nats.url, apiUrl: cp.apiUrl, pid: process.pid })
  const kubeconfig = writeKubeconfig(o.dataDir, cp.apiUrl, creds.adminToken, tls.ca)
  runUntilSignal(log, () => cp.stop())
  process.stdout.write(`kstate control plane ready: API ${cp.apiUrl}; kubeconfig ${kubeconfig}\n`)
}
