/** The authenticated caller, attached to the request by the JWT strategy. */
export interface AuthPrincipal {
  userId: string;
  email: string;
  name: string;
  roleId: string;
  permissions: string[];
  /** Refresh-token family of the session the access token was issued for. */
  sessionFamilyId?: string;
}

/** Request metadata services need for audit and sessions. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}
