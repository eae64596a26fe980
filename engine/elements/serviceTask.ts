/** Service task: a job for the handler registered under its job type. */
import type { ElementBehavior } from './ElementBehavior.js';
import { createServiceJob } from '../runtime/jobs.js';

export const serviceTask: ElementBehavior = {
  activate: (execution, record, node) => createServiceJob(execution, record, node),
};
