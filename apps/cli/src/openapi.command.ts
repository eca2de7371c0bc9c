import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { CliCommand } from './command';
import { AppModule } from '../../api/src/app.module';
import { buildOpenApiDocument } from '../../api/src/openapi';

/** The api's OpenAPI document, built from the compiled app without connecting to anything. */
export async function renderOpenApi(): Promise<string> {
  const app = await NestFactory.create(AppModule, { preview: true, logger: false, abortOnError: false });
  app.setGlobalPrefix('api/v1', { exclude: ['health/live', 'health/ready'] });
  const doc = buildOpenApiDocument(app);
  await app.close();
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const openapiCommands: Record<string, CliCommand> = {
  openapi: {
    summary: 'Write the OpenAPI document to openapi.json (--check: exit 1 if the committed file differs; --stdout: print it)',
    usage: '[--check] [--stdout]',
    async run(ctx) {
      const rendered = await renderOpenApi();
      const file = join(ctx.root, 'openapi.json');
      if (ctx.flags.has('stdout')) {
        process.stdout.write(rendered);
        return 0;
      }
      if (ctx.flags.has('check')) {
        let committed = '';
        try {
          committed = readFileSync(file, 'utf8');
        } catch {
          ctx.error('openapi.json is missing: run `npm run openapi`');
          return 1;
        }
        if (committed !== rendered) {
          ctx.error('openapi.json differs from the application: run `npm run build && npm run openapi` and commit it');
          return 1;
        }
        ctx.log('OK: openapi.json matches the application');
        return 0;
      }
      writeFileSync(file, rendered);
      ctx.log(`Wrote ${file}`);
      return 0;
    },
  },
};
