import { emit, setup } from 'xstate'
import { failureStatus, type ApiResponse } from '../../events/index.js'
import { planWrite, type WritePlan, type WriteRequest } from './plan.js'

/**
 * The api-server as a statechart. It answers nothing until its projection has replayed the log
 * (`starting` → 503, as kube-apiserver is not ready before its watch cache syncs); `serving`
 * plans every write with the pure `planWrite`; `readOnly` serves the past (replays) and refuses
 * writes with 405. Reads are answered by the host from the projection and never come here.
 */

export type ApiServerEvent =
  /** A write, with the current object and injected time/uid looked up by the host. */
  | ({ type: 'WRITE'; id: number } & WriteRequest)
  /** The projection has replayed the log up to its end. */
  | { type: 'LOG_CAUGHT_UP' }

export type ApiServerCommand =
  | ({ type: 'Append'; id: number } & Extract<WritePlan, { kind: 'append' }>)
  | { type: 'Respond'; id: number; response: ApiResponse }

export const apiServerMachine = setup({
  types: {
    input: {} as { readOnly?: boolean },
    context: {} as { readOnly: boolean },
    events: {} as ApiServerEvent,
    emitted: {} as ApiServerCommand,
  },
  guards: {
    readOnly: ({ context }) => context.readOnly,
  },
  actions: {
    plan: emit(({ event }): ApiServerCommand => {
      const e = event as Extract<ApiServerEvent, { type: 'WRITE' }>
      const plan = planWrite(e)
      return plan.kind === 'append' ? { type: 'Append', id: e.id, ...plan } : { type: 'Respond', id: e.id, response: plan.response }
    }),
    refuseNotReady: emit(({ event }): ApiServerCommand => ({
      type: 'Respond',
      id: (event as { id: number }).id,
      response: { ok: false, status: failureStatus('ServiceUnavailable', 'the api-server is starting: the event log is still being replayed') },
    })),
    refuseReadOnly: emit(({ event }): ApiServerCommand => ({
      type: 'Respond',
      id: (event as { id: number }).id,
      response: { ok: false, status: failureStatus('MethodNotAllowed', 'this API serves the cluster as it was at a past revision: it is read-only') },
    })),
  },
}).createMachine({
  id: 'api-server',
  context: ({ input }) => ({ readOnly: input.readOnly ?? false }),
  initial: 'starting',
  states: {
    starting: {
      on: {
        WRITE: { actions: 'refuseNotReady' },
        LOG_CAUGHT_UP: [{ guard: 'readOnly', target: 'readOnly' }, { target: 'serving' }],
      },
    },
    serving: {
      on: { WRITE: { actions: 'plan' } },
    },
    readOnly: {
      on: { WRITE: { actions: 'refuseReadOnly' } },
    },
  },
})
