import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * The application's own OpenAPI document, handed over by the api factory once it has built it
 * (`app.get(ApiDocumentHolder).set(doc)`), so the developer console lists the real routes.
 */
@Injectable()
export class ApiDocumentHolder {
  private doc: OpenAPIObject | null = null;
  private version = 0;

  set(doc: OpenAPIObject): void {
    this.doc = doc;
    this.version++;
  }

  get(): OpenAPIObject | null {
    return this.doc;
  }

  /** Bumped on every set (lets readers cache what they derive from the document). */
  get revision(): number {
    return this.version;
  }
}
