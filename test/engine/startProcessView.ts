/**
 * startProcess answers from the start step's own change set instead of
 * reading the instance back; for every fixture process it must answer exactly
 * what getInstance reads back from the store.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Engine, type Store } from '../../engine/index.js';

const folder = join(dirname(fileURLToPath(import.meta.url)), 'elements');
const fixtures = readdirSync(folder).filter((name) => name.endsWith('.bpmn')).map((name) => readFileSync(join(folder, name), 'utf8'));

/** Starts every process of every fixture that deploys and compares the answer with the stored instance; returns how many it compared. */
export async function compareStartViews(makeStore: () => Promise<Store>): Promise<number> {
  let compared = 0;
  for (const xml of fixtures) {
    const engine = new Engine({ store: await makeStore() });
    let processIds: string[];
    try {
      processIds = (await engine.deploy(xml)).processes.map((process) => process.processId);
    } catch {
      continue;
    }
    for (const processId of processIds) {
      const variables = { items: [1, 2, 3], list: ['a', 'b'], amount: 10, approved: true, nested: { x: [1, { y: null }] } };
      const started = await engine.startProcess(processId, variables).catch(() => undefined);
      if (!started) continue;
      expect(started, processId).to.deep.equal(await engine.getInstance(started.id));
      compared += 1;
    }
  }
  return compared;
}
