import { setFlagsFromString } from 'node:v8';

// Before anything else is loaded: V8 must not pretenure allocation sites. Sites that run while the
// framework loads and the application starts are judged long-lived and pretenured; some of them also
// allocate per request, and their objects then keep each request's young objects alive until those
// are promoted (7-11 % of what an authenticated request allocates; 0.1 % without). The promoted
// garbage forces full GCs, and those were the p99 tail of bench/auth.bench.ts. Long-lived objects
// still reach the old generation, by surviving two scavenges.
setFlagsFromString('--no-allocation-site-pretenuring');

import('./bootstrap.js').catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
