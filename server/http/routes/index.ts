/** Every API route, in the order the OpenAPI document lists them. */
import type { Route } from '../route.js';
import { authRoutes } from './auth.js';
import { definitionRoutes } from './definitions.js';
import { instanceRoutes } from './instances.js';
import { taskRoutes } from './tasks.js';
import { eventRoutes } from './events.js';
import { incidentRoutes } from './incidents.js';
import { userRoutes } from './users.js';
import { groupRoutes } from './groups.js';
import { deputyRoutes } from './deputies.js';

export const apiRoutes: Route[] = [
  ...authRoutes,
  ...definitionRoutes,
  ...instanceRoutes,
  ...taskRoutes,
  ...eventRoutes,
  ...incidentRoutes,
  ...userRoutes,
  ...groupRoutes,
  ...deputyRoutes,
];
