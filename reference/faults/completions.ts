/** §9.2 completion reasons and the timing of completions. */
import type { Completion, Direction } from '../model';
import { fault } from './fault';

const other = (d: Direction): Direction => (d === 'Outgoing' ? 'Incoming' : 'Outgoing');

export const COMPLETIONS = [
  fault({
    name: 'caller-declined-local-failure', description: 'the caller\'s declined invitation completes LocalFailure/Declined', breaks: ['DEC-2', 'LC-2'],
    seam: 'behaviour', hook: (b) => ({ completion: (o, d) => b.completion(o, o === 'declined' ? 'Incoming' : d) }),
  }),
  fault({
    name: 'cancel-reasons-swapped', description: 'cancel completes the caller RemoteFailure/Canceled and the callee LocalFailure/Canceled', breaks: ['CAN-2', 'LC-2', 'LC-7'],
    seam: 'behaviour', hook: (b) => ({ completion: (o, d) => b.completion(o, o === 'canceled' ? other(d) : d) }),
  }),
  fault({
    name: 'timeout-reported-as-declined', description: 'the no-answer timeout completes both sides with the Declined reasons', breaks: ['LC-3', 'LC-2'],
    seam: 'behaviour', hook: (b) => ({ completion: (o, d) => b.completion(o === 'noAnswer' ? 'declined' : o, d) }),
  }),
  fault({
    name: 'failure-without-reason', description: 'Failure completions carry no `reason`', breaks: ['EV-8', 'DEC-2', 'CAN-2', 'LC-2', 'LC-3', 'LC-4', 'LC-5', 'LC-7'],
    seam: 'behaviour',
    hook: (b) => ({
      completion(o, d) {
        const c = b.completion(o, d);
        return c.status === 'Failure' ? { status: 'Failure' } : c;
      },
    }),
  }),
  fault({
    name: 'status-failed-spelling', description: 'failure completions say status "Failed" instead of "Failure"', breaks: ['EV-8', 'WIRE-7', 'DEC-2', 'CAN-2', 'LC-2', 'LC-3', 'LC-4', 'LC-5', 'LC-7'],
    seam: 'behaviour',
    hook: (b) => ({
      completion(o, d) {
        const c = b.completion(o, d);
        return c.status === 'Failure' ? { ...c, status: 'Failed' as Completion['status'] } : c;
      },
    }),
  }),
  fault({
    name: 'reason-on-success', description: 'Success completions carry a `reason`', breaks: ['ACC-2', 'EV-8'],
    seam: 'behaviour',
    hook: (b) => ({
      completion(o, d) {
        const c = b.completion(o, d);
        return c.status === 'Success' ? { ...c, reason: { code: 'Success', subcode: 'None', message: 'Accepted.' } } : c;
      },
    }),
  }),
  fault({
    name: 'unknown-target-temporarily-unavailable', description: 'an unknown target fails RemoteFailure/TemporarilyUnavailable', breaks: ['LC-4'],
    seam: 'behaviour', hook: (b) => ({ completion: (o, d) => b.completion(o === 'unknownTarget' ? 'unavailableTarget' : o, d) }),
  }),
  fault({
    name: 'unavailable-target-destination-not-found', description: 'an unavailable target fails NotFound/DestinationNotFound', breaks: ['LC-5'],
    seam: 'behaviour', hook: (b) => ({ completion: (o, d) => b.completion(o === 'unavailableTarget' ? 'unknownTarget' : o, d) }),
  }),
  fault({
    name: 'unknown-target-times-out', description: 'an unknown target fails only after the no-answer timeout, as RemoteFailure/Timeout', breaks: ['LC-4'],
    seam: 'lifecycle',
    hook: (l) => ({
      unreachable: (outcome, noAnswerMs) => (outcome === 'unknownTarget' ? { outcome: 'noAnswer', delayMs: noAnswerMs } : l.unreachable(outcome, noAnswerMs)),
    }),
  }),
  fault({
    name: 'no-answer-timeout-never-fires', description: 'an unanswered invitation stays Connecting for ever', breaks: ['LC-3'],
    seam: 'lifecycle', hook: () => ({ noAnswerDelayMs: () => undefined }),
  }),
  fault({
    name: 'no-answer-timeout-early', description: 'the no-answer timeout fires at N/3', breaks: ['LC-3'],
    seam: 'lifecycle', hook: () => ({ noAnswerDelayMs: (n) => n / 3 }),
  }),
  fault({
    name: 'no-answer-timeout-late', description: 'the no-answer timeout fires at N + 15 s (outside the default late tolerance of 10 s)', breaks: ['LC-3'],
    seam: 'lifecycle', hook: () => ({ noAnswerDelayMs: (n) => n + 15_000 }),
  }),
] as const;
