/**
 * The pause before a step that lost a race runs again: random, so that rivals
 * do not collide again in lockstep, and growing a little with each attempt.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export function jitteredPause(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(2 * attempt, 50));
}
