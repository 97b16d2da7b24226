#!/usr/bin/env node
/**
 * The `ragscope` command line: `bench`, `index`, `search`, `why-not`. Errors print `error: <message>` (no stack
 * trace) and exit 2 for usage errors, 1 for failures and unmet `--fail-under` gates.
 * @packageDocumentation
 */
import { Command, CommanderError } from 'commander';
import { ragscopeVersion } from '../eval/bench/version.js';
import { registerBench } from './commands/bench.js';
import { registerCompare } from './commands/compare.js';
import { registerExplore } from './commands/explore.js';
import { registerGenerate } from './commands/generate.js';
import { registerIndex } from './commands/index-cmd.js';
import { registerSearch } from './commands/search.js';
import { registerWhyNot } from './commands/why-not.js';
import { errorMessage, exitCodeFor } from './errors.js';
import { closeBackends } from './postgres-backend.js';

/**
 * Build the `ragscope` commander program (exported for tests and embedding; `main` runs it).
 *
 * @example
 * ```ts
 * await createProgram().parseAsync(['node', 'ragscope', 'search', 'my-index', 'refunds']);
 * ```
 */
export function createProgram(): Command {
  const program = new Command();
  program
    .name('ragscope')
    .description(
      'Build and debug retrieval pipelines: benchmark chunkers and retrievers, search, explain, why-not.',
    )
    .version(ragscopeVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  for (const register of [
    registerBench,
    registerCompare,
    registerGenerate,
    registerIndex,
    registerSearch,
    registerWhyNot,
    registerExplore,
  ]) {
    register(program);
  }
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/**
 * Run the CLI on `argv` and return the exit code (0 ok, 1 failure or gate not met, 2 usage error).
 *
 * @example
 * ```ts
 * // No top-level await: tsup also builds this entry as CommonJS.
void main(process.argv).then((code) => {
  process.exitCode = code;
});
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message (e.g. "error: unknown option '--foo'").
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return 0;
      }
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`${errorMessage(err)}\n`);
    return exitCodeFor(err);
  } finally {
    await closeBackends();
  }
}

// No top-level await: tsup also builds this entry as CommonJS.
void main(process.argv).then((code) => {
  process.exitCode = code;
});
