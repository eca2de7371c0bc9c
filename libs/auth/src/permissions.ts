/**
 * The one list of permission strings. Every route declares one of these with @RequirePermission
 * (or @Public / @Authenticated for routes any signed-in user may call on their own data).
 * `*` grants everything. The README's permission table is generated from this file's comments.
 */
export const PERMISSIONS = {
  CAMERAS_READ: 'cameras:read', // list/read cameras, summaries, export
  CAMERAS_WRITE: 'cameras:write', // create/update/enable cameras, import, test connection, snapshot
  CAMERAS_DELETE: 'cameras:delete', // delete cameras
  DETECTIONS_READ: 'detections:read', // live detections, detection events, provider config (masked)
  DETECTIONS_WRITE: 'detections:write', // send a frame for detection, test the provider
  DETECTIONS_CONFIG: 'detections:config', // change the detection provider configuration
  FACES_READ: 'faces:read', // list face profiles and their images
  FACES_WRITE: 'faces:write', // enrol and update face profiles, add images
  FACES_DELETE: 'faces:delete', // erase face profiles and images
  ATTENDANCE_READ: 'attendance:read', // attendance records, logs, statistics, overview, pending, shifts
  ATTENDANCE_WRITE: 'attendance:write', // manual attendance entries, shifts
  ATTENDANCE_DELETE: 'attendance:delete', // delete attendance logs
  ATTENDANCE_EXPORT: 'attendance:export', // request and download exports
  HISTORY_READ: 'history:read', // a person's detection and attendance history
  ODOO_READ: 'odoo:read', // Odoo config (masked), status, sync logs
  ODOO_WRITE: 'odoo:write', // change the Odoo configuration, test it
  ODOO_SYNC: 'odoo:sync', // start an Odoo sync
  ALERTS_READ: 'alerts:read', // list alerts
  ALERTS_WRITE: 'alerts:write', // acknowledge and mute alerts
  ALERTS_DELETE: 'alerts:delete', // delete alerts
  SYSTEM_READ: 'system:read', // dashboard summary, health, metrics, uptime, version, banners
  SYSTEM_WRITE: 'system:write', // restart services, post banner messages
  AUDIT_READ: 'audit:read', // the audit trail
  USERS_READ: 'users:read', // list users
  USERS_WRITE: 'users:write', // create/update users, set passwords
  USERS_DELETE: 'users:delete', // delete users
  ROLES_READ: 'roles:read', // list roles
  DEVELOPER_USE: 'developer:use', // developer console (invokes with the caller's own rights)
  JOBS_READ: 'jobs:read', // read background job status
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(PERMISSIONS);
export const WILDCARD = '*';

export interface RoleSeed {
  id: string;
  name: string;
  description: string;
  permissions: string[];
}

/** The three roles of the spec; Operator and Viewer are extended where their job needs it. */
export const DEFAULT_ROLES: RoleSeed[] = [
  { id: 'ROLE-ADMIN', name: 'Admin', description: 'Full system access', permissions: [WILDCARD] },
  {
    id: 'ROLE-OPERATOR',
    name: 'Operator',
    description: 'Operational access: cameras, detections, faces, attendance, alerts',
    permissions: [
      // spec
      'cameras:read',
      'cameras:write',
      'attendance:read',
      'faces:write',
      // extended: an operator runs the floor
      'faces:read',
      'detections:read',
      'detections:write',
      'attendance:write',
      'attendance:export',
      'history:read',
      'alerts:read',
      'alerts:write',
      'odoo:read',
      'odoo:sync',
      'system:read',
      'jobs:read',
    ],
  },
  {
    id: 'ROLE-VIEWER',
    name: 'Viewer',
    description: 'Read-only access',
    permissions: [
      // spec
      'cameras:read',
      'attendance:read',
      'system:read',
      // extended: the dashboard a viewer watches also shows detections and alerts
      'detections:read',
      'alerts:read',
    ],
  },
];

export function hasPermission(granted: readonly string[], required: string): boolean {
  return granted.includes(WILDCARD) || granted.includes(required);
}
