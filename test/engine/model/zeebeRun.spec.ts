/**
 * Conformance corpus, Zeebe item 2: real Camunda 8 models that start with a none
 * start event and need only user tasks, service tasks, gateways and timers are
 * deployed, started and driven to their end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Engine, type ProcessInstance, type Variables } from '../../../engine/index.js';
import { sharedConformance } from '../../support/scenario.js';

const DAY = 24 * 60 * 60 * 1000;
const MAX_ROUNDS = 50;

interface RunCase {
  title: string;
  /** File name under ../shared/conformance/zeebe. */
  file: string;
  processId: string;
  /** Variables the instance starts with (what the gateways' FEEL conditions read). */
  start?: Variables;
  /** Variables to complete each user task with, by element id; other tasks complete with `reviewed: true`. */
  userTasks?: Record<string, Variables>;
  /** An element the run must have completed: the branch the variables chose. */
  reaches: string;
}

const cases: RunCase[] = [
  {
    title: 'customer onboarding: score, approve by hand, create in CRM',
    file: 'berndruecker__customer-onboarding-camunda-8-springboot__src__main__resources__customer-onboarding.bpmn',
    processId: 'customer-onboarding',
    start: { customerName: 'bernd', customerEmail: 'noreply@camunda.com', automaticProcessing: false },
    userTasks: { TaskApproveCustomerOrder: { automaticProcessing: true } },
    reaches: 'EndEventProcessed',
  },
  {
    title: 'ship parcel: insured shipping above 100',
    file: 'camunda-community-hub__zeebe-simple-monitor__src__test__resources__ship-parcel.bpmn',
    processId: 'ship-parcel',
    start: { orderId: 'order-1', totalPrice: 150 },
    reaches: 'EndEvent_1hfc9sb',
  },
  {
    title: 'ship parcel: default flow at or below 100',
    file: 'camunda-community-hub__zeebe-simple-monitor__src__test__resources__ship-parcel.bpmn',
    processId: 'ship-parcel',
    start: { orderId: 'order-2', totalPrice: 40 },
    reaches: 'EndEvent_0elt8f8',
  },
  {
    title: 'zeebe-spec exclusive gateway: x > 5 takes B',
    file: 'camunda-community-hub__zeebe-spec__junit-extension__src__test__resources__exclusive-gateway.bpmn',
    processId: 'exclusive-gateway',
    start: { x: 7 },
    reaches: 'Activity_0dceglv',
  },
  {
    title: 'application fulfilment: approved user gets an account',
    file: 'camunda-community-hub__zeebe-client-csharp-accelerator__examples__Zeebe-Client-Accelerator-Showcase__Resources__process.bpmn',
    processId: 'Process_ApplicationFullfillment',
    start: { applicant: 'ada' },
    userTasks: { Task_AppoveUser: { approved: true } },
    reaches: 'EndEvent_ApplicationApproved',
  },
  {
    title: 'transfer limit change: manual approval, then executed',
    file: 'berndruecker__camunda-8-kafka-money-transfer-limit__transfer-limit-change-request__src__main__resources__transfer-limit-change-request.bpmn',
    processId: 'transfer-limit-change-request',
    start: { customerId: 'c-1', newLimit: 5000, manualApprovalNecessary: true },
    userTasks: { Activity_0fuz0r3: { approved: true } },
    reaches: 'Event_02dhto2',
  },
  {
    title: 'order process: input and output mappings across three services',
    file: 'camunda-community-hub__zeebe-client-csharp__Client.Examples__Resources__demo-process.bpmn',
    processId: 'order-process',
    start: { a: 'order-3' },
    reaches: 'end',
  },
  {
    title: 'ten tasks: ten services and two PT20M timers',
    file: 'camunda-community-hub__zeebe-client-csharp__Client.Examples__Resources__ten_tasks.bpmn',
    processId: 'benchmark',
    reaches: 'end',
  },
  {
    title: 'send email: enter a message, then send it',
    file: 'camunda__camunda-platform-get-started__java__src__main__resources__send-email.bpmn',
    processId: 'send-email',
    userTasks: { enterMessageTask: { message_content: 'Hello from Umlauf' } },
    reaches: 'EndEvent',
  },
];

function readModel(file: string): string {
  return readFileSync(join(sharedConformance, 'zeebe', file), 'utf8');
}

/** The static job types of a model's zeebe:taskDefinition elements (FEEL job types, starting with '=', are skipped). */
function jobTypes(xml: string): string[] {
  const types = [...xml.matchAll(/<zeebe:taskDefinition\b[^>]*\btype="([^"]+)"/g)].map((match) => match[1]!);
  return [...new Set(types.filter((type) => !type.startsWith('=')))];
}

/** An engine on a clock the test moves, with a no-op handler for every job type of the model. */
function engineFor(xml: string): { engine: Engine; advance: (milliseconds: number) => void } {
  let time = new Date('2026-03-02T08:00:00Z').getTime();
  const engine = new Engine({ clock: () => new Date(time), retryBackoff: () => 1_000 });
  for (const type of jobTypes(xml)) engine.registerService(type, async () => ({}));
  return { engine, advance: (milliseconds) => { time += milliseconds; } };
}

/** Completes open user tasks, runs due jobs and moves the clock a day when nothing else moves, until the instance ends. */
async function drive(engine: Engine, advance: (milliseconds: number) => void, instanceId: string, userTasks: Record<string, Variables>): Promise<ProcessInstance> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const instance = await engine.getInstance(instanceId);
    if (instance.state !== 'active') return instance;
    const open = await engine.listUserTasks({ instanceId, state: 'open' });
    for (const task of open) await engine.completeUserTask(task.id, userTasks[task.elementId] ?? { reviewed: true });
    const ran = await engine.runDueJobs();
    if (open.length === 0 && ran === 0) advance(DAY);
  }
  return engine.getInstance(instanceId);
}

async function describeStuck(engine: Engine, instance: ProcessInstance): Promise<string> {
  const incidents = await engine.listIncidents(instance.id);
  const open = incidents.filter((incident) => incident.state === 'open').map((incident) => `${incident.elementId}: ${incident.message}`);
  return `state ${instance.state} at [${instance.activeElementIds.join(', ')}]${open.length ? `; incidents: ${open.join('; ')}` : ''}`;
}

describe('Zeebe conformance models run to their end', () => {
  for (const run of cases) {
    it(run.title, async () => {
      const xml = readModel(run.file);
      const { engine, advance } = engineFor(xml);
      const deployment = await engine.deploy(xml);
      expect(deployment.processes.map((process) => process.processId)).to.include(run.processId);

      const started = await engine.startProcess(run.processId, run.start ?? {});
      const finished = await drive(engine, advance, started.id, run.userTasks ?? {});

      expect(finished.state, await describeStuck(engine, finished)).to.equal('completed');
      const completed = (await engine.history(started.id)).filter((event) => event.type === 'completed').map((event) => event.elementId);
      expect(completed, 'elements completed').to.include(run.reaches);
    });
  }
});
