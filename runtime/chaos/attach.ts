import { connectNats, type NatsTarget } from '../nats/connect.js'
import type { Logger } from '../log.js'
import { ChaosController, type ChaosTargets } from './controller.js'
import type { ProcessSupervisor } from './supervisor.js'

export interface ChaosAttachOptions {
  /** The control plane's NATS user: it may write the log (fault records) and serve chaos control. */
  nats: NatsTarget
  adminToken: string
  /** Names of every process: `control-plane` and the nodes. */
  processes: () => string[]
  /** The supervisor of `kstate up --processes`; without it kills are refused. */
  supervisor?: ProcessSupervisor
  restartNats?: (downMs: number) => Promise<void>
  log: Logger
}

export interface AttachedChaos {
  controller: ChaosController
  stop(): Promise<void>
}

/** Starts the chaos controller of a cluster `kstate up` runs, on a connection of its own (never faulted). */
export async function attachChaos(o: ChaosAttachOptions): Promise<AttachedChaos> {
  const nc = await connectNats(o.nats, 'kstate-chaos')
  const sup = o.supervisor
  const targets: ChaosTargets = {
    killable: () => sup?.names() ?? [],
    kill: async (p) => {
      await sup!.kill(p)
    },
    restart: async (p) => sup!.restart(p),
    ...(o.restartNats ? { restartNats: o.restartNats } : {}),
    processes: o.processes,
  }
  const controller = new ChaosController({ nc, adminToken: o.adminToken, targets, log: o.log.child('chaos') })
  controller.start()
  return {
    controller,
    async stop() {
      controller.stop()
      await nc.drain().catch(() => {})
    },
  }
}
