import Module from 'node:module';
import { join } from 'node:path';

/**
 * Jest loads globalSetup/globalTeardown with `require` (transpiled to CommonJS by the project's
 * transform) but without moduleNameMapper, so `@app/<lib>` imports would not resolve there. This hook
 * maps them the way tsconfig `paths` and the jest moduleNameMapper do. Import it first.
 */
type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const loader = Module as unknown as { _resolveFilename: ResolveFilename & { cctvAliases?: true } };
const ALIAS = /^@app\/([a-z]+)(?:\/(.*))?$/;

if (!loader._resolveFilename.cctvAliases) {
  const original = loader._resolveFilename;
  const root = process.cwd();
  const patched: ResolveFilename & { cctvAliases?: true } = (request, parent, isMain, options) => {
    const m = ALIAS.exec(request);
    const target = m ? join(root, 'libs', m[1], 'src', m[2] ?? 'index') : request;
    return original.call(loader, target, parent, isMain, options);
  };
  patched.cctvAliases = true;
  loader._resolveFilename = patched;
}
