/** Script task: a FEEL expression whose result lands in the result variable; or, with a job type, a job. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeElement } from '../runtime/lifecycle.js';
import { createServiceJob } from '../runtime/jobs.js';
import { evaluate } from '../runtime/variables.js';

export const scriptTask: ElementBehavior = {
  activate(execution, record, node) {
    if (!node.script) return createServiceJob(execution, record, node);
    const value = evaluate(execution, record.id, node.script.expression);
    completeElement(execution, record, node.script.resultVariable ? { [node.script.resultVariable]: value } : {});
  },
};
