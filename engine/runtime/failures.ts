/** A failure that stops one token with an incident, not the whole step. */
import type { IncidentType } from '../types.js';

export class ExpressionFailure extends Error {
  constructor(readonly type: IncidentType, message: string) {
    super(message);
  }
}
