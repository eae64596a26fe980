/** Reads BPMN 2.0 XML with bpmn-moddle and the Camunda 8 (Zeebe) extension. */
import { BpmnModdle } from 'bpmn-moddle';
import zeebeSchema from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import { DeploymentError } from '../errors.js';

/** The loosely typed tree bpmn-moddle builds; compile() narrows what it reads. */
export interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  [property: string]: unknown;
}

export async function readDefinitions(xml: string): Promise<ModdleElement> {
  if (typeof xml !== 'string' || xml.trim() === '') {
    throw new DeploymentError([{ elementId: '', message: 'the BPMN XML is empty' }]);
  }
  const moddle = new BpmnModdle({ zeebe: zeebeSchema });
  let root: ModdleElement;
  try {
    const result = await moddle.fromXML(xml, 'bpmn:Definitions');
    root = result.rootElement as unknown as ModdleElement;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new DeploymentError([{ elementId: '', message: `the XML is not readable BPMN 2.0: ${reason}` }]);
  }
  if (!root || root.$type !== 'bpmn:Definitions') {
    throw new DeploymentError([{ elementId: '', message: 'the XML has no bpmn:definitions root element' }]);
  }
  return root;
}

/** The elements of a many-valued property, whatever moddle left there. */
export function many(element: ModdleElement | undefined, property: string): ModdleElement[] {
  const value = element?.[property];
  return Array.isArray(value) ? (value as ModdleElement[]) : [];
}

export function one(element: ModdleElement | undefined, property: string): ModdleElement | undefined {
  const value = element?.[property];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as ModdleElement) : undefined;
}

export function text(element: ModdleElement | undefined, property: string): string | undefined {
  const value = element?.[property];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The local BPMN name of a moddle type: 'bpmn:UserTask' → 'userTask'. */
export function localType(element: ModdleElement): string {
  const name = element.$type.split(':')[1] ?? element.$type;
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** The Zeebe extension element of a type, e.g. 'zeebe:TaskDefinition'. */
export function extension(element: ModdleElement | undefined, type: string): ModdleElement | undefined {
  return many(one(element, 'extensionElements'), 'values').find((value) => value.$type === type);
}
