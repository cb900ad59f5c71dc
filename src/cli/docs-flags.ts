/**
 * Writes every command's `--help` into docs/runner.md, between the flags markers, so that the
 * docs' flag lists are made from the same tables as the parser and the help (a test checks
 * that the block is current).
 *
 *   npm run docs:flags
 */
import { readFileSync } from 'node:fs';
import { helpText } from './args';
import { writeAtomic } from './batch';
import { COMMANDS } from './commands';

export const FLAGS_BEGIN = '<!-- flags: made by npm run docs:flags from src/cli/commands.ts -->';
export const FLAGS_END = '<!-- flags end -->';

/** The block between the markers: each command's help in a code block. */
export function flagsBlock(): string {
  return COMMANDS.map((c) => `\`\`\`text\n${helpText(c)}\`\`\``).join('\n\n');
}

/** `doc` with its flags block replaced by the current one. */
export function withFlagsBlock(doc: string): string {
  const a = doc.indexOf(FLAGS_BEGIN), b = doc.indexOf(FLAGS_END);
  if (a < 0 || b < a) throw new Error(`docs/runner.md has no ${FLAGS_BEGIN} … ${FLAGS_END} block`);
  return `${doc.slice(0, a + FLAGS_BEGIN.length)}\n\n${flagsBlock()}\n\n${doc.slice(b)}`;
}

if (process.argv[1]?.endsWith('docs-flags.ts')) {
  const file = 'docs/runner.md';
  writeAtomic(file, withFlagsBlock(readFileSync(file, 'utf8')));
  process.stdout.write(`wrote the flags of ${COMMANDS.length} commands into ${file}\n`);
}
