import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { EnvValidationError, loadEnv } from '@app/core/config/env.dto';
import type { CliContext } from './command';
import { commands } from './commands';

/**
 * The operations cli: `node dist/apps/cli/src/main.js <command> [args] [--flags]`.
 * It opens a DataSource when a command needs one and never boots the Nest application.
 */
export function parseArgv(argv: string[]): { name?: string; args: string[]; flags: Map<string, string | true> } {
  const args: string[] = [];
  const flags = new Map<string, string | true>();
  for (const token of argv) {
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      if (eq === -1) flags.set(token.slice(2), true);
      else flags.set(token.slice(2, eq), token.slice(eq + 1));
    } else {
      args.push(token);
    }
  }
  const [name, ...rest] = args;
  return { name, args: rest, flags };
}

function help(): string {
  const width = Math.max(...Object.entries(commands).map(([n, c]) => `${n} ${c.usage ?? ''}`.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${`${name} ${c.usage ?? ''}`.padEnd(width)}  ${c.summary}`);
  return ['Usage: node dist/apps/cli/src/main.js <command> [args]', '', 'Commands:', ...lines].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { name, args, flags } = parseArgv(argv);
  if (!name || name === 'help' || flags.has('help')) {
    console.log(help());
    return name || flags.has('help') ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command: ${name}\n\n${help()}`);
    return 1;
  }
  loadDotenv({ quiet: true });
  const ctx: CliContext = {
    env: loadEnv(),
    args,
    flags,
    root: process.cwd(),
    log: (line) => console.log(line),
    error: (line) => console.error(line),
  };
  return command.run(ctx);
}

// Run when executed, not when imported (a spec may import parseArgv; under ESM jest `require` is undefined).
if (typeof require !== 'undefined' && require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof EnvValidationError ? err.message : err);
      process.exitCode = 1;
    },
  );
}
