/**
 * Creates the demo organisation and deploys the shipped processes, so that a
 * new user can log in and try Umlauf at once. Safe to run again: what exists
 * already is left as it is.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Services } from '../http/services.js';
import { demoDeputy, demoGroups, demoPassword, demoUsers } from './organisation.js';

const processesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'processes');

export async function seedDemo(services: Services, log: Logger): Promise<void> {
  if (await services.identity.getUser('admin')) {
    log.info('demo data is there already');
    return;
  }
  const { identity } = services;
  for (const group of demoGroups) await identity.createGroup(group);
  for (const user of demoUsers) {
    await identity.createUser({ id: user.id, displayName: user.displayName, password: demoPassword, roles: user.roles });
    for (const group of user.groups) await identity.addMember(group, user.id);
  }
  const startsAt = services.clock();
  const endsAt = new Date(startsAt.getTime() + demoDeputy.days * 86_400_000);
  await identity.createDeputy({ absentUserId: demoDeputy.absentUserId, deputyUserId: demoDeputy.deputyUserId, startsAt, endsAt });
  const deployed = await deployShippedProcesses(services);
  log.info({ users: demoUsers.length, groups: demoGroups.length, processes: deployed, password: demoPassword }, 'demo organisation created: log in as admin, designer, k.schulz, m.weber … with the demo password');
}

async function deployShippedProcesses(services: Services): Promise<string[]> {
  const files = (await readdir(processesDir)).filter((file) => file.endsWith('.bpmn')).sort();
  const deployed: string[] = [];
  for (const file of files) {
    const result = await services.engine.deploy(await readFile(join(processesDir, file), 'utf8'));
    deployed.push(...result.processes.map((process) => `${process.processId}:${process.version}`));
  }
  return deployed;
}
