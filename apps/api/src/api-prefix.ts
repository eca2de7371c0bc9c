/** The global route prefix of the REST API (every path is under /api/v1). */
export const API_PREFIX = 'api/v1';
