import type { CliCommand } from './command';
import { databaseCommands } from './database.commands';
import { openapiCommands } from './openapi.command';

/**
 * Every cli command by name. Add a command by adding an entry here (e.g. `openapi`, implemented in
 * its own file with the CliCommand interface); main.ts needs no change.
 */
export const commands: Record<string, CliCommand> = {
  ...databaseCommands,
  ...openapiCommands,
};
