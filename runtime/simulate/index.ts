/** Deterministic simulation: the whole control plane on the virtual clock with seeded faults (`kstate simulate`). */
export { runSimulation, SIMULATION_DEFAULTS, SIMULATION_EPOCH, type SimulationHooks, type SimulationOptions, type SimulationProgress, type SimulationResult } from './simulation.js'
export { reproduceCommand, formatDuration } from './reproduce.js'
export { faultSchedule, describeFault, type SimFault, type ScheduledFault } from './faults.js'
