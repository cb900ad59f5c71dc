/**
 * The commands' flags, declared once per command: the parser, `--help` and the docs check
 * (tests/unit/docs.test.ts) all read these tables. Unknown or malformed flags are errors
 * that name the flag and print the command's list.
 */
import { ConfigError } from '../engine/core/config';

export interface Flag {
  name: string;
  /** What the value looks like (absent: a switch, which takes no value). */
  arg?: string;
  /** Given more than once, every value is kept. */
  repeatable?: boolean;
  /** The value used when the flag is not given, in words. */
  default?: string;
  help: string;
}

export interface Command {
  /** How it is called, e.g. `npm run experiment --`. */
  name: string;
  /** One line on what it does. */
  summary: string;
  /** Forms of the call, one per line. */
  usage: string[];
  /** The flags, by section (a section's title, then its flags). */
  sections: { title: string; flags: Flag[] }[];
}

/** A command's flags of every section. */
export function flagsOf(c: Command): Flag[] {
  return c.sections.flatMap((s) => s.flags);
}

/** The command's help: usage, then every flag with its argument, default and meaning. */
export function helpText(c: Command): string {
  const lines = [`${c.name.replace(/ --$/, '')}: ${c.summary}`, '', 'Usage:', ...c.usage.map((u) => `  ${c.name} ${u}`)];
  for (const s of c.sections) {
    lines.push('', `${s.title}:`);
    const heads = s.flags.map((f) => `  --${f.name}${f.arg ? ` ${f.arg}` : ''}${f.repeatable ? ' (repeatable)' : ''}`);
    const width = Math.min(34, Math.max(...heads.map((h) => h.length)) + 2);
    s.flags.forEach((f, i) => {
      const text = `${f.help}${f.default !== undefined ? ` (default: ${f.default})` : ''}`;
      lines.push(heads[i].length < width ? `${heads[i].padEnd(width)}${text}` : `${heads[i]}\n${' '.repeat(width)}${text}`);
    });
  }
  lines.push('', '  --help, -h  this list');
  return `${lines.join('\n')}\n`;
}

/** Prints the help and exits 0 when the arguments ask for it (--help or -h anywhere). */
export function helpRequested(argv: string[], c: Command): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText(c));
    process.exit(0);
  }
}

/** Parses `argv` against `flags` (a section of a command, or all of it); `command` is named in errors. */
export function parseFlags(argv: string[], c: Command, flags: Flag[] = flagsOf(c)): { values: Record<string, string>; lists: Record<string, string[]>; switches: Set<string> } {
  helpRequested(argv, c);
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const switches = new Set<string>();
  const unknown = (what: string) => new ConfigError(`${what}\n\n${helpText(c)}`);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw unknown(`unexpected argument "${arg}"`);
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      // --flag=value (for --set, only the first '=' splits: --set=key=value)
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const flag = flags.find((f) => f.name === name);
    if (!flag) throw unknown(`unknown flag "--${name}"`);
    if (!flag.arg) {
      if (value !== undefined) throw new ConfigError(`flag --${name} takes no value`);
      switches.add(name);
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`flag --${name} needs a value: ${flag.arg}`);
    }
    if (flag.repeatable) (lists[name] ??= []).push(value);
    else {
      if (name in values) throw new ConfigError(`flag --${name} given twice`);
      values[name] = value;
    }
  }
  return { values, lists, switches };
}

export function parseIntFlag(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new ConfigError(`--${name} ${JSON.stringify(text)} is not allowed: it must be an integer from ${min} to ${max}`);
  return Number(text);
}
