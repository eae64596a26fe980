/**
 * CPU time spent during a measurement: this process's (the engine, the store
 * and, embedded, PGlite) and, when PostgreSQL runs on this machine, that of
 * its backends serving one database. On 2 cores where both run, the sum per
 * instance bounds the rate whatever the engine does with its waits, so the
 * store benchmark prints it next to the rate it measured.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (sysconf(_SC_CLK_TCK); 100 on Linux as built almost everywhere). */
const ticksPerSecond = ((): number => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/** This process's CPU time so far, user and system, in µs. */
export function processCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** User and system time, in µs, from a /proc stat line (its 14th and 15th fields). */
function statMicros(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // Counted from after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / ticksPerSecond;
}

/**
 * The CPU time so far of this process's main thread, in µs: the one that runs
 * the engine and, embedded, PGlite, and so can use one core at most (V8's
 * helper threads and libuv's pool count in processCpuMicros only).
 */
export function mainThreadCpuMicros(): number | undefined {
  try {
    return statMicros(`/proc/self/task/${process.pid}/stat`);
  } catch {
    return undefined;
  }
}

/**
 * CPU time so far, in µs, of the PostgreSQL backends on this machine that serve
 * `database` (their command line reads `postgres: … <user> <database> <client> …`),
 * or undefined when there are none to read (PostgreSQL on another machine, or no /proc).
 * A backend that ended since the last reading takes its time with it, so the
 * connections must stay open across a measurement (the store's pool keeps them).
 */
export function postgresCpuMicros(database: string): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  let micros = 0;
  let backends = 0;
  for (const pid of pids) {
    try {
      const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]+/);
      if (!words[0]?.startsWith('postgres:') || !words.includes(database)) continue;
      micros += statMicros(`/proc/${pid}/stat`);
      backends += 1;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return backends > 0 ? micros : undefined;
}

/** CPU time per unit of work between two readings, in µs. */
export interface CpuPerUnit {
  process: number;
  /** Of that, the main thread's, when it could be read. */
  mainThread?: number;
  /** PostgreSQL's backends for the database, when they could be read. */
  postgres?: number;
}

/** Starts a reading; the function it returns gives the CPU time per unit since then. */
export function cpuReading(database?: string): (units: number) => CpuPerUnit {
  const readPostgres = (): number | undefined => (database === undefined ? undefined : postgresCpuMicros(database));
  const processAt = processCpuMicros();
  const mainThreadAt = mainThreadCpuMicros();
  const postgresAt = readPostgres();
  return (units) => {
    const mainThreadNow = mainThreadCpuMicros();
    const postgresNow = readPostgres();
    const perUnit: CpuPerUnit = { process: (processCpuMicros() - processAt) / units };
    if (mainThreadAt !== undefined && mainThreadNow !== undefined) perUnit.mainThread = (mainThreadNow - mainThreadAt) / units;
    if (postgresAt !== undefined && postgresNow !== undefined) perUnit.postgres = (postgresNow - postgresAt) / units;
    return perUnit;
  };
}

/**
 * The most instances per second that CPU time per instance allows on `cores`:
 * all of it together cannot take more than the cores, and the main thread not
 * more than one of them.
 */
export function cpuCeiling(perInstance: CpuPerUnit, cores: number): number {
  const together = (cores * 1_000_000) / (perInstance.process + (perInstance.postgres ?? 0));
  return perInstance.mainThread ? Math.min(together, 1_000_000 / perInstance.mainThread) : together;
}
