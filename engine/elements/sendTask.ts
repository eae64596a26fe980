/** Send task: like a service task, Zeebe style: a handler for its job type sends the message. */
import type { ElementBehavior } from './ElementBehavior.js';
import { createServiceJob } from '../runtime/jobs.js';

export const sendTask: ElementBehavior = {
  activate: (execution, record, node) => createServiceJob(execution, record, node),
};
