import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { DeploymentError, Engine, NotFoundError } from '../../engine/index.js';
import { readDefinitions } from '../../engine/model/moddle.js';
import { compileDefinitions } from '../../engine/model/compile.js';
import { embeddedFormId } from '../../engine/model/forms.js';
import { fixture, scenario, sharedConformance, type Harness } from '../support/scenario.js';

const xml = fixture(import.meta.url, 'userTaskForm.bpmn');
const invalidXml = fixture(import.meta.url, 'userTaskFormInvalid.bpmn');

const approvalForm = {
  type: 'default',
  id: 'approval',
  components: [
    { key: 'approved', label: 'Approve & sign', type: 'checkbox' },
    { key: 'comment', label: 'Comment', type: 'textarea' },
  ],
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('expected the promise to be rejected');
}

/** The open user tasks of a new form-flow instance, by element id. */
async function startFormFlow(h: Harness): Promise<Record<string, string>> {
  await h.engine.deploy(xml);
  const instance = await h.engine.startProcess('form-flow');
  const tasks = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
  return Object.fromEntries(tasks.map((task) => [task.elementId, task.id]));
}

/** The Camunda 8 models of the shared corpus that embed forms. */
function zeebeModelsWithForms(): string[] {
  const directory = join(sharedConformance, 'zeebe');
  return readdirSync(directory).filter((name) => name.endsWith('.bpmn')).map((name) => join(directory, name))
    .filter((file) => readFileSync(file, 'utf8').includes('zeebe:userTaskForm'));
}

describe('Engine.getUserTaskForm', () => {
  scenario('returns the parsed form-js schema of the embedded form the formKey names, also after a reload', async (h) => {
    const tasks = await startFormFlow(h);
    expect(await h.engine.getUserTaskForm(tasks['approve']!)).to.deep.equal(approvalForm);
    await h.reload();
    expect(await h.engine.getUserTaskForm(tasks['approve']!)).to.deep.equal(approvalForm);
  });

  scenario('is undefined for a task without a form and for one linked by formId to a separately deployed form', async (h) => {
    const tasks = await startFormFlow(h);
    expect(tasks).to.have.keys('approve', 'plain', 'linked');
    await h.reload();
    expect(await h.engine.getUserTaskForm(tasks['plain']!)).to.equal(undefined);
    expect(await h.engine.getUserTaskForm(tasks['linked']!)).to.equal(undefined);
  });

  scenario('gives each caller its own copy and still answers once the task is completed', async (h) => {
    const tasks = await startFormFlow(h);
    const first = (await h.engine.getUserTaskForm(tasks['approve']!)) as { components: unknown[] };
    first.components.length = 0;
    await h.engine.completeUserTask(tasks['approve']!, { approved: true });
    await h.reload();
    expect(await h.engine.getUserTaskForm(tasks['approve']!)).to.deep.equal(approvalForm);
  });

  scenario('an unknown user task is a NotFoundError', async (h) => {
    await h.engine.deploy(xml);
    const error = await rejection(h.engine.getUserTaskForm('no-such-task'));
    expect(error).to.be.instanceOf(NotFoundError);
    expect(error).to.include({ kind: 'user task', id: 'no-such-task' });
  });

  scenario('a Camunda 8 get-started model (send-email) runs and serves its embedded form for its user task', async (h) => {
    await h.engine.deploy(readFileSync(join(sharedConformance, 'zeebe', 'camunda__camunda-platform-get-started__java__src__main__resources__send-email.bpmn'), 'utf8'));
    const instance = await h.engine.startProcess('send-email');
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(task).to.include({ elementId: 'enterMessageTask', formKey: 'camunda-forms:bpmn:userTaskForm_15j79nd' });
    await h.reload();
    const form = (await h.engine.getUserTaskForm(task!.id)) as { components: { key: string }[] };
    expect(form.components.map((component) => component.key)).to.deep.equal(['message_content']);
  });
});

describe('embedded forms at deployment', () => {
  it('refuses a form whose JSON does not parse and a formKey that names no form of the process, listing both', async () => {
    const error = await rejection(new Engine().deploy(invalidXml));
    expect(error).to.be.instanceOf(DeploymentError);
    const problems = (error as DeploymentError).problems;
    expect(problems.map((problem) => problem.elementId)).to.have.members(['cutOffForm', 'review']);
    expect(problems.find((problem) => problem.elementId === 'cutOffForm')?.message).to.contain('does not parse');
    expect(problems.find((problem) => problem.elementId === 'review')?.message).to.contain("'camunda-forms:bpmn:missingForm'");
  });

  it('keeps the embedded form of every Camunda 8 model in the corpus, and each formKey finds its form', async () => {
    const files = zeebeModelsWithForms();
    expect(files.length, 'corpus models with embedded forms').to.be.at.least(6);
    for (const file of files) {
      const { processes, problems } = compileDefinitions(await readDefinitions(readFileSync(file, 'utf8')));
      expect(problems.filter((problem) => /form/i.test(problem.message)), file).to.deep.equal([]);
      const linked = processes.flatMap((model) => Object.values(model.nodes)
        .map((node) => embeddedFormId(node.userTask?.formKey))
        .filter((formId): formId is string => formId !== undefined)
        .map((formId) => model.forms[formId] as { components?: unknown }));
      expect(linked.length, `${file} links a user task to its form`).to.be.at.least(1);
      for (const form of linked) expect(form?.components, file).to.be.an('array').with.lengthOf.at.least(1);
    }
  });
});
