/**
 * Camunda Forms embedded in a process: Camunda Modeler stores each form-js
 * schema as JSON in a zeebe:userTaskForm of the process and links a user task
 * to it with formKey="camunda-forms:bpmn:<form id>". Checked at deployment so
 * that a task never points at a form that is missing or unreadable.
 */
import type { ProcessModel } from './ProcessModel.js';
import type { Problems } from './problems.js';
import { many, one, text, type ModdleElement } from './moddle.js';

const embeddedPrefix = 'camunda-forms:bpmn:';

/** The id of the embedded form a formKey names; undefined for other form keys (formId, custom keys). */
export function embeddedFormId(formKey: string | undefined): string | undefined {
  return formKey?.startsWith(embeddedPrefix) ? formKey.slice(embeddedPrefix.length) : undefined;
}

/** The parsed form-js schemas of a process's zeebe:userTaskForm elements, by form id. */
export function readEmbeddedForms(process: ModdleElement, problems: Problems): Record<string, unknown> {
  const forms: Record<string, unknown> = {};
  const elements = many(one(process, 'extensionElements'), 'values').filter((value) => value.$type === 'zeebe:UserTaskForm');
  for (const element of elements) {
    const id = text(element, 'id')?.trim() ?? '';
    if (id === '') {
      problems.add(process.id ?? '', 'a zeebe:userTaskForm has no id');
    } else if (Object.hasOwn(forms, id)) {
      problems.add(id, `the process has more than one zeebe:userTaskForm with the id '${id}'`);
    } else {
      const schema = parseSchema(text(element, 'body') ?? '');
      if (typeof schema === 'string') problems.add(id, `the embedded form is not usable: ${schema}`);
      else forms[id] = schema.value;
    }
  }
  return forms;
}

/** A form-js schema is a JSON object; the reason as text when the body is not one. */
function parseSchema(body: string): { value: unknown } | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return `its JSON does not parse (${error instanceof Error ? error.message : String(error)})`;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? { value } : 'it is not a JSON object';
}

/** Every user task whose formKey names an embedded form must find it in its own process. */
export function checkFormLinks(model: ProcessModel, problems: Problems): void {
  for (const node of Object.values(model.nodes)) {
    const formKey = node.userTask?.formKey;
    const formId = embeddedFormId(formKey);
    if (formId !== undefined && !Object.hasOwn(model.forms, formId)) {
      problems.add(node.id, `the formKey '${formKey ?? ''}' names no zeebe:userTaskForm of the process '${model.processId}'`);
    }
  }
}
