import { describe, expect, it } from '@jest/globals';
import {
  OdooAuthError,
  OdooError,
  OdooTransportError,
  OdooValidationError,
  classifyOdooException,
  httpStatusError,
  parseJson2Error,
  parseJsonRpcError,
  redactSecret,
} from './odoo.errors';

const SECRET = 'f3c1a9d0e8b7c6a5f4e3d2c1b0a9f8e7d6c5b4a3';

function rpcError(name: string, message: string): unknown {
  return {
    code: 200,
    message: 'Odoo Server Error',
    data: { name, debug: `Traceback...\n${name}: ${message}`, message, arguments: [message], context: {} },
  };
}

describe('parseJsonRpcError', () => {
  it('maps ValidationError to a non-retryable OdooValidationError carrying the Odoo message', () => {
    const message = "Cannot create new attendance record for Alice, the employee hasn't checked out since Jan 15, 2024, 8:00:00 AM";
    const error = parseJsonRpcError(rpcError('odoo.exceptions.ValidationError', message), { operation: 'hr.attendance.create' });
    expect(error).toBeInstanceOf(OdooValidationError);
    expect(error.message).toBe(message);
    expect(error.retryable).toBe(false);
    expect(error.odooName).toBe('odoo.exceptions.ValidationError');
    expect(error.operation).toBe('hr.attendance.create');
  });

  it.each(['odoo.exceptions.UserError', 'odoo.exceptions.MissingError'])('maps %s to OdooValidationError', (name) => {
    expect(parseJsonRpcError(rpcError(name, 'nope'))).toBeInstanceOf(OdooValidationError);
  });

  it.each(['odoo.exceptions.AccessDenied', 'odoo.exceptions.AccessError'])('maps %s to OdooAuthError', (name) => {
    const error = parseJsonRpcError(rpcError(name, 'Access Denied'));
    expect(error).toBeInstanceOf(OdooAuthError);
    expect(error.retryable).toBe(false);
  });

  it('treats session expiry (code 100) as an auth error', () => {
    const error = parseJsonRpcError({
      code: 100,
      message: 'Odoo Session Expired',
      data: { name: 'odoo.http.SessionExpiredException', message: 'Session expired' },
    });
    expect(error).toBeInstanceOf(OdooAuthError);
  });

  it('marks concurrency failures retryable and plain Python errors not retryable', () => {
    expect(parseJsonRpcError(rpcError('psycopg2.errors.SerializationFailure', 'could not serialize access')).retryable).toBe(true);
    const valueError = parseJsonRpcError(rpcError('builtins.ValueError', 'Invalid field'));
    expect(valueError.retryable).toBe(false);
    expect(valueError).not.toBeInstanceOf(OdooValidationError);
    expect(valueError).toBeInstanceOf(OdooError);
  });

  it('never copies the traceback and redacts the key from message and arguments', () => {
    const error = parseJsonRpcError(
      {
        code: 200,
        message: 'Odoo Server Error',
        data: {
          name: 'builtins.ValueError',
          message: `bad value ${SECRET}`,
          arguments: [`bad value ${SECRET}`, 3],
          debug: `frame ${SECRET}`,
        },
      },
      { secret: SECRET },
    );
    expect(error.message).toBe('bad value ***');
    expect(error.odooArguments).toEqual(['bad value ***', 3]);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(SECRET);
  });

  it('copes with an error object without data', () => {
    const error = parseJsonRpcError({ code: -32600, message: 'Invalid Request' });
    expect(error.message).toBe('Invalid Request');
    expect(error.retryable).toBe(false);
  });
});

describe('parseJson2Error', () => {
  const body = (name: string, message: string) => JSON.stringify({ name, message, arguments: [message], context: {}, debug: 'Traceback' });

  it('maps 401 Invalid apikey to OdooAuthError', () => {
    const error = parseJson2Error(401, body('werkzeug.exceptions.Unauthorized', 'Invalid apikey'));
    expect(error).toBeInstanceOf(OdooAuthError);
    expect(error.status).toBe(401);
    expect(error.message).toBe('Invalid apikey');
  });

  it('maps 422 ValidationError to OdooValidationError', () => {
    const error = parseJson2Error(422, body('odoo.exceptions.ValidationError', '"Check Out" time cannot be earlier than "Check In" time.'));
    expect(error).toBeInstanceOf(OdooValidationError);
    expect(error.retryable).toBe(false);
  });

  it('judges a JSON 500 from Odoo by its exception name, not by the status', () => {
    const error = parseJson2Error(500, body('builtins.ValueError', 'Invalid field'));
    expect(error).not.toBeInstanceOf(OdooTransportError);
    expect(error.retryable).toBe(false);
  });

  it.each([502, 503, 504])('maps an HTML %i page to a retryable OdooTransportError', (status) => {
    const error = parseJson2Error(status, `<html><body><h1>${status}</h1></body></html>`);
    expect(error).toBeInstanceOf(OdooTransportError);
    expect(error.retryable).toBe(true);
    expect((error as OdooTransportError).kind).toBe('http');
  });

  it('maps an HTML 404 to a non-retryable OdooError', () => {
    const error = parseJson2Error(404, '<html>Not Found</html>');
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(404);
  });

  it('redacts the key echoed in a JSON-2 error body', () => {
    const error = parseJson2Error(500, body('builtins.KeyError', `'${SECRET}'`), { secret: SECRET });
    expect(error.message).not.toContain(SECRET);
  });
});

describe('helpers', () => {
  it('redactSecret replaces every occurrence and ignores empty secrets', () => {
    expect(redactSecret(`a ${SECRET} b ${SECRET}`, SECRET)).toBe('a *** b ***');
    expect(redactSecret('unchanged', '')).toBe('unchanged');
  });

  it('httpStatusError: 401/403 are auth, 5xx transport, other 4xx plain', () => {
    expect(httpStatusError(403)).toBeInstanceOf(OdooAuthError);
    expect(httpStatusError(500)).toBeInstanceOf(OdooTransportError);
    expect(httpStatusError(429).retryable).toBe(true);
    const plain = httpStatusError(400);
    expect(plain).not.toBeInstanceOf(OdooTransportError);
    expect(plain.retryable).toBe(false);
  });

  it('classifyOdooException falls back to the status when Odoo gave no name', () => {
    expect(classifyOdooException({ name: '', message: 'busy', arguments: [] }, 503).retryable).toBe(true);
    expect(classifyOdooException({ name: '', message: 'bad', arguments: [] }, 400).retryable).toBe(false);
  });

  it('error classes keep their names for logs', () => {
    expect(new OdooTransportError('x', { kind: 'timeout' }).name).toBe('OdooTransportError');
    expect(new OdooTransportError('x', { kind: 'timeout' }).timedOut).toBe(true);
    expect(new OdooValidationError('x').name).toBe('OdooValidationError');
    expect(new OdooAuthError('x').name).toBe('OdooAuthError');
  });
});
