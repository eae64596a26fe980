/**
 * Engine benchmark on the in-memory store (a script, not a test):
 *   npm run bench:engine
 *   (or: node --expose-gc --import tsx bench/engine.bench.ts)
 * Without --expose-gc it re-spawns itself with it, so the heap figure is measured after a full GC.
 *
 * (a) throughput: start → 3 sequential user tasks → end, N instances
 * (b) starting a distribution (processes/acknowledgment.bpmn) to 1,000 and 9,000 recipients
 * (c) the cost of one confirmation at fan-out 10 versus 9,000 (flat is the target)
 * (d) heap per instance waiting at its first user task
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Engine, MemoryStore } from '../engine/index.js';
import { threeTasks } from './threeTasks.js';

const self = fileURLToPath(import.meta.url);

const gc = (globalThis as { gc?: () => void }).gc;
if (typeof gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
const collect = (): void => { for (let i = 0; i < 3; i++) gc!(); };

const N = Number(process.env.BENCH_N ?? 10_000);
const acknowledgment = readFileSync(join(dirname(self), '..', 'processes', 'acknowledgment.bpmn'), 'utf8');

async function freshEngine(xml: string): Promise<Engine> {
  const engine = new Engine({ store: new MemoryStore() });
  await engine.deploy(xml);
  return engine;
}

const recipients = (count: number): string[] => Array.from({ length: count }, (_, i) => `user-${i}`);

/** One instance through three user tasks; returns the number of user tasks completed. */
async function runThroughThree(engine: Engine, index: number): Promise<number> {
  const instance = await engine.startProcess('three-tasks', { initiator: `user-${index}` });
  let completed = 0;
  for (;;) {
    const [task] = await engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    if (!task) break;
    await engine.completeUserTask(task.id, { step: completed });
    completed += 1;
  }
  if (completed !== 3) throw new Error(`expected 3 user tasks, got ${completed}`);
  return completed;
}

async function throughput(): Promise<{ seconds: number; instancesPerSecond: number; tasksPerSecond: number }> {
  const warm = await freshEngine(threeTasks);
  for (let i = 0; i < 300; i++) await runThroughThree(warm, i);
  const engine = await freshEngine(threeTasks);
  collect();
  let tasks = 0;
  const started = performance.now();
  for (let i = 0; i < N; i++) tasks += await runThroughThree(engine, i);
  const seconds = (performance.now() - started) / 1000;
  const completed = await engine.store.listUserTasks({ state: 'completed' });
  if (completed.length !== tasks) throw new Error(`expected ${tasks} completed tasks, store has ${completed.length}`);
  return { seconds, instancesPerSecond: N / seconds, tasksPerSecond: tasks / seconds };
}

async function distribute(count: number): Promise<{ engine: Engine; instanceId: string; ms: number }> {
  const engine = await freshEngine(acknowledgment);
  const started = performance.now();
  const instance = await engine.startProcess('acknowledgment', { recipients: recipients(count) });
  const ms = performance.now() - started;
  const open = await engine.store.listUserTasks({ instanceId: instance.id, state: 'open' });
  if (open.length !== count) throw new Error(`expected ${count} open tasks, got ${open.length}`);
  return { engine, instanceId: instance.id, ms };
}

/** Average µs per confirmation: `total` confirmations, each among `fanOut` siblings (never the last one of an instance). */
async function confirmationCost(fanOut: number, total: number): Promise<number> {
  const engine = await freshEngine(acknowledgment);
  const perInstance = Math.min(fanOut - 1, total);
  const taskIds: string[] = [];
  while (taskIds.length < total) {
    const instance = await engine.startProcess('acknowledgment', { recipients: recipients(fanOut) });
    const open = await engine.store.listUserTasks({ instanceId: instance.id, state: 'open' });
    taskIds.push(...open.slice(0, Math.min(perInstance, total - taskIds.length)).map((task) => task.id));
  }
  collect();
  const started = performance.now();
  for (const id of taskIds) await engine.completeUserTask(id);
  return ((performance.now() - started) * 1000) / total;
}

async function heapPerWaitingInstance(): Promise<{ kibPerInstance: number; totalMiB: number }> {
  const warm = await freshEngine(threeTasks);
  for (let i = 0; i < 500; i++) await warm.startProcess('three-tasks', { initiator: `user-${i}` });
  const engine = await freshEngine(threeTasks);
  collect();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) await engine.startProcess('three-tasks', { initiator: `user-${i}` });
  collect();
  const after = process.memoryUsage().heapUsed;
  const waiting = await engine.store.listUserTasks({ state: 'open' });
  if (waiting.length !== N) throw new Error(`expected ${N} waiting tasks, got ${waiting.length}`);
  return { kibPerInstance: (after - before) / 1024 / N, totalMiB: (after - before) / 1024 / 1024 };
}

const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`Umlauf engine benchmark — in-memory store, node ${process.version}, N = ${fmt(N)}\n`);

const heap = await heapPerWaitingInstance();
const a = await throughput();
const d1k = await distribute(1_000);
const d9k = await distribute(9_000);
const c10 = await confirmationCost(10, 200);
const c9k = await confirmationCost(9_000, 200);

const rows: [string, string, string][] = [
  ['(a) start → 3 user tasks → end', `${fmt(a.instancesPerSecond)} instances/s (${fmt(a.seconds, 1)} s)`, '≥ 1,000–2,000 inst/s (bpmn-engine ~100–200)'],
  ['(a) user tasks completed', `${fmt(a.tasksPerSecond)} user tasks/s`, ''],
  ['(b) start distribution to 1,000', `${fmt(d1k.ms)} ms`, ''],
  ['(b) start distribution to 9,000', `${fmt(d9k.ms)} ms`, 'roughly linear in recipients'],
  ['(c) one confirmation at fan-out 10', `${fmt(c10, 1)} µs (avg of 200)`, ''],
  ['(c) one confirmation at fan-out 9,000', `${fmt(c9k, 1)} µs (avg of 200)`, `flat: ratio ${fmt(c9k / c10, 2)}×`],
  ['(d) heap per waiting instance', `${fmt(heap.kibPerInstance, 2)} KiB (${fmt(heap.totalMiB, 1)} MiB total)`, '< 10 KiB (bpmn-engine ~600 KiB)'],
];
const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length), ['measure', 'result', 'target'][column]!.length));
const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ');
console.log(line(['measure', 'result', 'target']));
console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
for (const row of rows) console.log(line(row));
console.log(`\nTargets: throughput ≥ 10× bpmn-engine (~100–200 inst/s), heap < 10 KiB per waiting instance (bpmn-engine ~600 KiB), confirmation cost flat in fan-out.`);
console.log(`Throughput vs bpmn-engine (150 inst/s): ${fmt(a.instancesPerSecond / 150, 1)}×; heap vs bpmn-engine (600 KiB): ${fmt(600 / heap.kibPerInstance, 0)}× smaller.`);
