/**
 * The demo organisation: a small city administration with two departments,
 * four offices, twenty people in every role and one deputyship, enough to try
 * every kind of circulation folder at once.
 */
import type { Role } from '../identity/IdentityStore.js';

export const demoPassword = 'umlauf-demo';

export interface DemoGroup {
  id: string;
  name: string;
  parentId?: string;
}

export interface DemoUser {
  id: string;
  displayName: string;
  roles: Role[];
  groups: string[];
}

export const demoGroups: DemoGroup[] = [
  { id: 'stadt', name: 'Stadtverwaltung' },
  { id: 'dez-1', name: 'Dezernat I – Allgemeine Verwaltung', parentId: 'stadt' },
  { id: 'dez-3', name: 'Dezernat III – Ordnung und Bürgerdienste', parentId: 'stadt' },
  { id: 'amt-10', name: 'Hauptamt', parentId: 'dez-1' },
  { id: 'amt-11', name: 'Personalamt', parentId: 'dez-1' },
  { id: 'amt-32', name: 'Ordnungsamt', parentId: 'dez-3' },
  { id: 'amt-33', name: 'Bürgeramt', parentId: 'dez-3' },
];

const person = (id: string, displayName: string, roles: Role[], ...groups: string[]): DemoUser => ({ id, displayName, roles, groups });

export const demoUsers: DemoUser[] = [
  person('admin', 'Anna Admin', ['admin', 'employee'], 'amt-10'),
  person('designer', 'Dieter Designer', ['designer', 'employee'], 'amt-10'),
  person('k.schulz', 'Katrin Schulz (Leitung Hauptamt)', ['supervisor', 'employee'], 'amt-10'),
  person('m.weber', 'Martin Weber', ['employee'], 'amt-10'),
  person('s.fischer', 'Sabine Fischer', ['employee'], 'amt-10'),
  person('t.wagner', 'Thomas Wagner (Leitung Personalamt)', ['supervisor', 'employee'], 'amt-11'),
  person('j.becker', 'Julia Becker', ['employee', 'designer'], 'amt-11'),
  person('l.hoffmann', 'Lukas Hoffmann', ['employee'], 'amt-11'),
  person('p.schaefer', 'Petra Schäfer', ['employee'], 'amt-11'),
  person('r.koch', 'Ralf Koch (Leitung Ordnungsamt)', ['supervisor', 'employee'], 'amt-32'),
  person('e.richter', 'Eva Richter', ['employee'], 'amt-32'),
  person('f.klein', 'Felix Klein', ['employee'], 'amt-32'),
  person('n.wolf', 'Nina Wolf', ['employee'], 'amt-32'),
  person('h.neumann', 'Heike Neumann (Leitung Bürgeramt)', ['supervisor', 'employee'], 'amt-33'),
  person('o.schwarz', 'Oliver Schwarz', ['employee'], 'amt-33'),
  person('c.zimmermann', 'Claudia Zimmermann', ['employee'], 'amt-33'),
  person('b.braun', 'Bernd Braun', ['employee'], 'amt-33'),
  person('g.krueger', 'Gisela Krüger (Dezernentin I)', ['supervisor', 'employee'], 'dez-1'),
  person('u.hartmann', 'Uwe Hartmann (Dezernent III)', ['supervisor', 'employee'], 'dez-3'),
  person('fachverfahren', 'Fachverfahren (Integration)', ['integration'], 'amt-10'),
];

/** Martin Weber is away; Sabine Fischer works his personal user tasks meanwhile. */
export const demoDeputy = { absentUserId: 'm.weber', deputyUserId: 's.fischer', days: 14 };
