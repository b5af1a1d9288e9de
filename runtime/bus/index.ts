/** The faulty bus: chaos faults applied to a process's NATS traffic (see faulty-connection.ts). */
export { faultyConnection, busOf, type FaultyBus, type FaultyBusOptions } from './faulty-connection.js'
export { decide, partitioned, clockOffset, PASS, type Verdict, type MessageContext } from './decide.js'
export { FaultTable } from './fault-table.js'
export { subjectMatches } from './subject-match.js'
export { actorRoute, isActorInput, receiverOf, senderOf, CONTROL_PLANE, PAUSABLE_ACTORS } from './peers.js'
export { skewedClock, nodeClock } from './skewed-clock.js'
