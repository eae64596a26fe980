/** The behavior of every element type the engine runs, by the type's BPMN name. */
import type { ElementBehavior } from './ElementBehavior.js';
import { boundaryEvent } from './boundaryEvent.js';
import { businessRuleTask } from './businessRuleTask.js';
import { callActivity } from './callActivity.js';
import { endEvent } from './endEvent.js';
import { eventBasedGateway } from './eventBasedGateway.js';
import { exclusiveGateway } from './exclusiveGateway.js';
import { inclusiveGateway } from './inclusiveGateway.js';
import { intermediateCatchEvent } from './intermediateCatchEvent.js';
import { intermediateThrowEvent } from './intermediateThrowEvent.js';
import { manualTask } from './manualTask.js';
import { multiInstanceBody } from './multiInstanceBody.js';
import { parallelGateway } from './parallelGateway.js';
import { process } from './process.js';
import { receiveTask } from './receiveTask.js';
import { scriptTask } from './scriptTask.js';
import { sendTask } from './sendTask.js';
import { serviceTask } from './serviceTask.js';
import { startEvent } from './startEvent.js';
import { subProcess } from './subProcess.js';
import { task } from './task.js';
import { userTask } from './userTask.js';

export const behaviors: Record<string, ElementBehavior> = {
  boundaryEvent, businessRuleTask, callActivity, endEvent, eventBasedGateway, exclusiveGateway, inclusiveGateway,
  intermediateCatchEvent, intermediateThrowEvent, manualTask, multiInstanceBody, parallelGateway, process, receiveTask,
  scriptTask, sendTask, serviceTask, startEvent, subProcess, task, userTask,
};
