import type { EnvVar } from 'kubernetes-types/core/v1.js'
import { assign, emit, setup } from 'xstate'

/**
 * One attempt of one container: the life of a single OS process, as a container runtime (CRI)
 * sees it. A restart is a new attempt (a new actor); the pod worker decides whether there is one.
 *
 *   backOff ─after(backOff)─▶ starting ─STARTED─▶ running ─EXITED─▶ exited
 *      │                        │  └SPAWN_FAILED─────────────────────▶ exited (StartError)
 *      └STOP▶ exited (cancelled) └──STOP──▶ stopping ◀──STOP──┘
 *                                  terminating ─after(gracePeriod)─▶ killing ─EXITED─▶ exited
 *
 * `backOff` is the CrashLoopBackOff wait before a restart (skipped when the delay is 0). Stopping
 * sends SIGTERM, then SIGKILL once the grace period has passed (grace 0: SIGKILL at once, as
 * containerd's StopContainer does with timeout 0). Exit reasons are Kubernetes': exit 0 →
 * `Completed`, anything else → `Error`, killed by a signal → exit code 128 + signal number; a
 * command that cannot be started (ENOENT, EACCES) → exit code 128, `StartError`, like containerd.
 */

/** The `valueFrom.fieldRef` sources a container's environment may read. */
export interface PodFieldRefs {
  name: string
  namespace: string
  uid: string
  nodeName: string
  podIP: string
  hostIP: string
  /** `spec.hostname` if set, else the pod's name: the container's `HOSTNAME`. */
  hostname: string
  serviceAccountName?: string
}

/** What the driver needs to start the process. `command`/`args` are the container spec's, unresolved. */
export interface SpawnSpec {
  name: string
  image: string
  command: string[]
  args: string[]
  env: EnvVar[]
  workingDir: string
  /** stdout and stderr are appended here, in order. */
  logPath: string
  pod: PodFieldRefs
}

export type Signal = 'SIGTERM' | 'SIGKILL'

/** Commands for the driver. */
export type ContainerCommand =
  | ({ type: 'Spawn'; containerId: string } & SpawnSpec)
  | { type: 'Signal'; containerId: string; signal: Signal }

/** What happened to the attempt, for whoever supervises it. */
export type ContainerResult =
  | { outcome: 'exited'; exitCode: number; signal: string | null; reason: 'Completed' | 'Error'; startedAt: number; finishedAt: number }
  | { outcome: 'startFailed'; exitCode: 128; reason: 'StartError'; message: string; finishedAt: number }
  /** Stopped during its back-off wait: no process was ever spawned. */
  | { outcome: 'cancelled'; finishedAt: number }

export type ContainerNotice =
  | { type: 'Running'; containerId: string; pid: number; startedAt: number }
  | { type: 'Exited'; containerId: string; result: ContainerResult }

/** Everything the machine emits: commands for the driver, notices for the supervisor. */
export type ContainerEmitted = ContainerCommand | ContainerNotice

/** Events from the driver (STARTED, EXITED, SPAWN_FAILED) and the supervisor (STOP); `at` is the host's clock. */
export type ContainerEvent =
  | { type: 'STARTED'; pid: number; at: number }
  | { type: 'EXITED'; exitCode: number | null; signal: string | null; at: number }
  | { type: 'SPAWN_FAILED'; message: string; at: number }
  | { type: 'STOP'; gracePeriodSeconds: number; at: number }

export interface ContainerInput {
  containerId: string
  spec: SpawnSpec
  /** CrashLoopBackOff wait before spawning; 0 spawns at once. */
  backOffMs: number
  /** Time the attempt was created (the previous attempt's exit, for a restart). */
  at: number
}

export interface ContainerContext {
  containerId: string
  spec: SpawnSpec
  backOffMs: number
  pid?: number
  startedAt?: number
  /** Time of the last STOP and the deadline it set for SIGKILL. */
  stopAt?: number
  killAt?: number
  result?: ContainerResult
}

/** Linux signal numbers, for Kubernetes' `128 + n` exit codes of killed processes. */
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22,
  SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29,
  SIGPWR: 30, SIGSYS: 31,
}

/** Kubernetes' view of a process exit: code, or 128 + signal number when a signal ended it. */
export function exitResult(exitCode: number | null, signal: string | null, startedAt: number, finishedAt: number): Extract<ContainerResult, { outcome: 'exited' }> {
  const code = exitCode ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0)
  return { outcome: 'exited', exitCode: code, signal, reason: code === 0 ? 'Completed' : 'Error', startedAt, finishedAt }
}

export const containerMachine = setup({
  types: {
    context: {} as ContainerContext,
    events: {} as ContainerEvent,
    input: {} as ContainerInput,
    emitted: {} as ContainerEmitted,
    output: {} as ContainerResult,
  },
  actions: {
    /**
     * The machine's one way out. Standalone it emits; a supervising machine `provide`s an
     * implementation that sends to itself instead (see the pod worker).
     */
    out: emit((_, params: ContainerEmitted) => params),
    recordExit: assign({
      result: ({ context, event }) =>
        event.type === 'EXITED' ? exitResult(event.exitCode, event.signal, context.startedAt ?? event.at, event.at) : context.result,
    }),
    recordStartFailure: assign({
      result: ({ context, event }) =>
        event.type === 'SPAWN_FAILED' ? { outcome: 'startFailed' as const, exitCode: 128 as const, reason: 'StartError' as const, message: event.message, finishedAt: event.at } : context.result,
    }),
    recordStop: assign(({ context, event }) => {
      if (event.type !== 'STOP') return {}
      const deadline = event.at + Math.max(0, event.gracePeriodSeconds) * 1000
      return { stopAt: event.at, killAt: context.killAt === undefined ? deadline : Math.min(context.killAt, deadline) }
    }),
  },
  guards: {
    hasBackOff: ({ context }) => context.backOffMs > 0,
    /** The SIGKILL deadline is now (grace 0, or shortened to what has already elapsed). */
    killNow: ({ context, event }) => {
      if (event.type !== 'STOP') return false
      const deadline = event.at + Math.max(0, event.gracePeriodSeconds) * 1000
      return Math.min(context.killAt ?? deadline, deadline) <= event.at
    },
    shortensGrace: ({ context, event }) =>
      event.type === 'STOP' && context.killAt !== undefined && event.at + Math.max(0, event.gracePeriodSeconds) * 1000 < context.killAt,
  },
  delays: {
    backOff: ({ context }) => context.backOffMs,
    gracePeriod: ({ context }) => Math.max(0, (context.killAt ?? 0) - (context.stopAt ?? 0)),
  },
}).createMachine({
  id: 'container',
  context: ({ input }) => ({ containerId: input.containerId, spec: input.spec, backOffMs: input.backOffMs }),
  initial: 'init',
  output: ({ context }) => context.result!,
  states: {
    init: {
      always: [{ guard: 'hasBackOff', target: 'backOff' }, { target: 'starting' }],
    },
    /** CrashLoopBackOff: the previous attempt failed recently; wait before spawning again. */
    backOff: {
      after: { backOff: 'starting' },
      on: {
        STOP: {
          target: 'exited',
          actions: assign({ result: ({ event }) => ({ outcome: 'cancelled' as const, finishedAt: event.at }) }),
        },
      },
    },
    starting: {
      entry: { type: 'out', params: ({ context }) => ({ type: 'Spawn' as const, containerId: context.containerId, ...context.spec }) },
      on: {
        STARTED: {
          target: 'running',
          actions: [
            assign({ pid: ({ event }) => event.pid, startedAt: ({ event }) => event.at }),
            { type: 'out', params: ({ context, event }) => ({ type: 'Running' as const, containerId: context.containerId, pid: event.pid, startedAt: event.at }) },
          ],
        },
        SPAWN_FAILED: { target: 'exited', actions: 'recordStartFailure' },
        EXITED: { target: 'exited', actions: 'recordExit' },
        STOP: [
          { guard: 'killNow', target: 'stopping.killing', actions: 'recordStop' },
          { target: 'stopping', actions: ['recordStop', { type: 'out', params: ({ context }) => ({ type: 'Signal' as const, containerId: context.containerId, signal: 'SIGTERM' as const }) }] },
        ],
      },
    },
    running: {
      on: {
        EXITED: { target: 'exited', actions: 'recordExit' },
        STOP: [
          { guard: 'killNow', target: 'stopping.killing', actions: 'recordStop' },
          { target: 'stopping', actions: ['recordStop', { type: 'out', params: ({ context }) => ({ type: 'Signal' as const, containerId: context.containerId, signal: 'SIGTERM' as const }) }] },
        ],
      },
    },
    /** SIGTERM has been sent; SIGKILL follows when the grace period is over, unless the process exits first. */
    stopping: {
      initial: 'terminating',
      on: {
        STARTED: { actions: assign({ pid: ({ event }) => event.pid, startedAt: ({ event }) => event.at }) },
        EXITED: { target: 'exited', actions: 'recordExit' },
        SPAWN_FAILED: { target: 'exited', actions: 'recordStartFailure' },
      },
      states: {
        terminating: {
          after: { gracePeriod: 'killing' },
          on: {
            STOP: [
              { guard: 'killNow', target: 'killing', actions: 'recordStop' },
              // A shorter grace period (a second, more urgent delete) re-arms the timer to the earlier deadline.
              { guard: 'shortensGrace', target: 'terminating', reenter: true, actions: 'recordStop' },
            ],
          },
        },
        killing: {
          entry: { type: 'out', params: ({ context }) => ({ type: 'Signal' as const, containerId: context.containerId, signal: 'SIGKILL' as const }) },
        },
      },
    },
    exited: {
      type: 'final',
      entry: { type: 'out', params: ({ context }) => ({ type: 'Exited' as const, containerId: context.containerId, result: context.result! }) },
    },
  },
})
