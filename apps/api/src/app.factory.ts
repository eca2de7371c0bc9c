import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { EnvDto, PinoNestLogger, loadEnv, rootLogger } from '@app/core';
import { ApiDocumentHolder } from '@app/system/developer/api-document.holder';
import { API_PREFIX } from './api-prefix';
import { AppExpressAdapter } from './http/app-express-adapter';
import { AppModule } from './app.module';
import { installLiveFastLane } from './http/live-fast-lane';
import { requestLogging } from './http/request-logging.middleware';
import { buildOpenApiDocument, mountSwagger } from './openapi';

export { API_PREFIX };

/** Builds the HTTP + WebSocket application exactly as production runs it (tests use this too). */
export async function createApiApp(opts: { logger?: boolean } = {}): Promise<NestExpressApplication> {
  const env = loadEnv();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new AppExpressAdapter(), {
    bodyParser: false,
    logger: opts.logger === false ? false : new PinoNestLogger(rootLogger()),
    abortOnError: false,
  });
  configureApiApp(app, env);
  return app;
}

export function configureApiApp(app: NestExpressApplication, env: EnvDto): void {
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.disable('x-powered-by');
  app.use(requestLogging);
  app.useBodyParser('json', { limit: env.BODY_LIMIT_BYTES, strict: true });
  app.useBodyParser('urlencoded', { limit: env.BODY_LIMIT_BYTES, extended: false });
  app.enableCors(corsOptions(env));
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready'] });
  app.useWebSocketAdapter(new WsAdapter(app));
  app.enableShutdownHooks();
  const doc = buildOpenApiDocument(app as INestApplication);
  mountSwagger(app, doc);
  // the developer console lists and invokes the routes of this very document
  app.get(ApiDocumentHolder).set(doc);
  installLiveFastLane(app, corsOptions(env));
}

/** CORS of every response (Express's `cors` middleware, also applied by the live fast lane). */
export function corsOptions(env: EnvDto): { origin: true | string[]; credentials: boolean; exposedHeaders: string[] } {
  return {
    origin:
      env.CORS_ORIGINS.trim() === '*'
        ? true
        : env.CORS_ORIGINS.split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    credentials: true,
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining'],
  };
}
