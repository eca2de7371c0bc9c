import type { EnvDto } from '@app/core/config/env.dto';

/** What a cli command receives. */
export interface CliContext {
  /** The validated env (DATABASE_URL, ADMIN_*, ...). */
  env: EnvDto;
  /** Positional arguments after the command name. */
  args: string[];
  /** `--flag` -> true, `--key=value` -> 'value'. */
  flags: ReadonlyMap<string, string | true>;
  /** Repository root (the cwd): migrations/ and openapi.json live here. */
  root: string;
  log(line: string): void;
  error(line: string): void;
}

/**
 * One cli command. Keep imports of heavy modules (the Nest application, for `openapi`) inside `run`
 * with `await import(...)`, so that `migrate` and friends stay fast.
 */
export interface CliCommand {
  /** One line for the help. */
  summary: string;
  /** Arguments and flags, e.g. '<Name>' or '[--demo]'. */
  usage?: string;
  /** Resolves to the process exit code. */
  run(ctx: CliContext): Promise<number>;
}
