/** Business rule task: only the job-worker form runs (DMN decisions are refused at deployment). */
import type { ElementBehavior } from './ElementBehavior.js';
import { createServiceJob } from '../runtime/jobs.js';

export const businessRuleTask: ElementBehavior = {
  activate: (execution, record, node) => createServiceJob(execution, record, node),
};
