/**
 * Runs every engine scenario twice: straight through, and with a new Engine
 * created on the same store wherever the scenario calls `reload()`, so that
 * saved state alone must be enough to continue.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, MemoryStore, type ServiceHandler, type Store } from '../../engine/index.js';
import { createTestDatabase, databaseKind, type TestDatabase } from './database.js';

export interface Harness {
  readonly engine: Engine;
  readonly store: Store;
  /** Save → reload → continue: a fresh Engine on the same store (only in the reload run). */
  reload(): Promise<void>;
  /** Moves the injected clock forward. */
  advance(milliseconds: number): void;
  now(): Date;
  /** Registers a service handler on this engine and every reloaded one. */
  service(type: string, handler: ServiceHandler): void;
}

export interface HarnessOptions {
  store?: () => Store | Promise<Store>;
  start?: Date;
}

export function createHarness(reloading: boolean, options: HarnessOptions = {}): () => Promise<Harness> {
  return async () => {
    const store = options.store ? await options.store() : new MemoryStore();
    let time = (options.start ?? new Date('2026-03-02T08:00:00Z')).getTime();
    const services: Record<string, ServiceHandler> = {};
    const make = () => new Engine({ store, clock: () => new Date(time), services: { ...services }, retryBackoff: () => 1_000 });
    let engine = make();
    return {
      get engine() { return engine; },
      store,
      async reload() { if (reloading) engine = make(); },
      advance(milliseconds) { time += milliseconds; },
      now: () => new Date(time),
      service(type, handler) { services[type] = handler; engine.registerService(type, handler); },
    };
  };
}

/**
 * Declares a scenario three times: straight and with save → reload → continue
 * at each reload() on the in-memory store, and with reloads on the database
 * store (PGlite, or PostgreSQL when DATABASE_URL is set), unless the scenario
 * brings its own store.
 */
export function scenario(title: string, body: (h: Harness) => Promise<void>, options: HarnessOptions = {}): void {
  for (const reloading of [false, true]) {
    it(`${title}${reloading ? ' (with save → reload → continue)' : ''}`, async () => body(await createHarness(reloading, options)()));
  }
  if (options.store) return;
  it(`${title} (on ${databaseKind}, with reloads)`, async () => {
    await body(await createHarness(true, { ...options, store: () => sharedDatabase.freshStore() })());
  });
}

/** One database for all scenarios of a run, emptied before each; made when first needed. */
const sharedDatabase = {
  opening: undefined as Promise<TestDatabase> | undefined,
  async freshStore(): Promise<Store> {
    this.opening ??= createTestDatabase();
    return (await this.opening).freshStore();
  },
};
after(async () => (await sharedDatabase.opening)?.close());

/** Reads a fixture that lies next to the spec. */
export function fixture(specUrl: string, name: string): string {
  return readFileSync(join(dirname(fileURLToPath(specUrl)), name), 'utf8');
}

export const sharedConformance = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'conformance');
