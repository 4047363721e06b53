// Keycloak puts realm roles in `realm_access.roles` and client roles in
// `resource_access.<client>.roles`. Only the names below mean anything to this API; any other
// role string, however privileged it sounds, grants nothing.

export const KNOWN_ROLES = ['user', 'admin'] as const;
export type Role = (typeof KNOWN_ROLES)[number];

export interface Claims {
  sub?: unknown;
  realm_access?: { roles?: unknown };
  resource_access?: Record<string, { roles?: unknown } | undefined>;
  [claim: string]: unknown;
}

export function rolesOf(claims: Claims, clientId: string): Set<Role> {
  const found = new Set<Role>();
  const take = (roles: unknown): void => {
    if (!Array.isArray(roles)) return;
    for (const r of roles) if ((KNOWN_ROLES as readonly unknown[]).includes(r)) found.add(r as Role);
  };
  take(claims.realm_access?.roles);
  const client = claims.resource_access && Object.hasOwn(claims.resource_access, clientId) ? claims.resource_access[clientId] : undefined;
  take(client?.roles);
  return found;
}

/** Admin is a superset of user: an administrator may also keep tasks of their own. */
export function grants(roles: ReadonlySet<Role>, needed: Role): boolean {
  return roles.has(needed) || (needed === 'user' && roles.has('admin'));
}
