/**
 * How long the suite waits for an expected event before it fails the requirement that needs it, in ms. EV-10
 * requires invitation events within 1 s of their cause, so the default of 5 s leaves a slow target room without
 * letting a broken one stall a run. The self-test, whose targets are local, sets 2 s through the environment
 * variable UCWA_CONFORMANCE_EVENT_WAIT_MS (a developer knob, not part of the target description).
 */
export const EVENT_WAIT_MS = Number(process.env.UCWA_CONFORMANCE_EVENT_WAIT_MS) > 0 ? Number(process.env.UCWA_CONFORMANCE_EVENT_WAIT_MS) : 5000;
