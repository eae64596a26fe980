/**
 * Creates the demo organisation and deploys the shipped processes, so that a
 * new user can log in and try Umlauf at once. Safe to run again, and on
 * several servers at once: what exists already is left as it is.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Engine } from '../../engine/index.js';
import type { Services } from '../http/services.js';
import { IdentityStore } from '../identity/IdentityStore.js';
import { KnexStore } from '../store/KnexStore.js';
import { onPostgres } from '../store/sharedState.js';
import { demoDeputy, demoGroups, demoPassword, demoUsers } from './organisation.js';

const processesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'processes');

/** An arbitrary but fixed key: servers that start together with the demo data queue on it. */
const demoSeedLockKey = 7_160_493_252;

/**
 * All of it in one transaction: a seed cut off halfway (a crash, a failed
 * deployment) leaves nothing behind, so the next start seeds it whole instead
 * of finding `admin` and taking a half organisation for the demo. On
 * PostgreSQL, servers that start together take turns on an advisory lock;
 * the later one finds the data there.
 */
export async function seedDemo(services: Services, log: Logger): Promise<void> {
  const created = await services.knex.transaction(async (trx) => {
    if (onPostgres(trx)) await trx.raw('select pg_advisory_xact_lock(?)', [demoSeedLockKey]);
    const identity = new IdentityStore(trx);
    if (await identity.getUser('admin')) return undefined;
    await createOrganisation(identity, services.clock());
    // An engine on the transaction, so the deployments land with the organisation or not at all.
    return deployShippedProcesses(new Engine({ store: new KnexStore(trx), clock: services.clock }));
  });
  if (!created) {
    log.info('demo data is there already');
    return;
  }
  log.info({ users: demoUsers.length, groups: demoGroups.length, processes: created, password: demoPassword }, 'demo organisation created: log in as admin, designer, k.schulz, m.weber … with the demo password');
}

async function createOrganisation(identity: IdentityStore, now: Date): Promise<void> {
  for (const group of demoGroups) await identity.createGroup(group);
  for (const user of demoUsers) {
    await identity.createUser({ id: user.id, displayName: user.displayName, password: demoPassword, roles: user.roles });
    for (const group of user.groups) await identity.addMember(group, user.id);
  }
  const endsAt = new Date(now.getTime() + demoDeputy.days * 86_400_000);
  await identity.createDeputy({ absentUserId: demoDeputy.absentUserId, deputyUserId: demoDeputy.deputyUserId, startsAt: now, endsAt });
}

async function deployShippedProcesses(engine: Engine): Promise<string[]> {
  const files = (await readdir(processesDir)).filter((file) => file.endsWith('.bpmn')).sort();
  const deployed: string[] = [];
  for (const file of files) {
    const result = await engine.deploy(await readFile(join(processesDir, file), 'utf8'));
    deployed.push(...result.processes.map((process) => `${process.processId}:${process.version}`));
  }
  return deployed;
}
