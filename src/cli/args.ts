/** Strict parsing of the runner's and bench's flags: unknown or malformed flags are errors. */
import { ConfigError } from '../engine/core/config';

export interface FlagSpec {
  /** Flags that take a value; repeatable ones collect every value. */
  values: string[];
  repeatable?: string[];
  switches?: string[];
}

export function parseFlags(argv: string[], spec: FlagSpec): { values: Record<string, string>; lists: Record<string, string[]>; switches: Set<string> } {
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const switches = new Set<string>();
  const known = [...spec.values, ...(spec.repeatable ?? []), ...(spec.switches ?? [])].map((f) => `--${f}`);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"; flags: ${known.join(' ')}`);
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      // --flag=value (for --set, only the first '=' splits: --set=key=value)
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (spec.switches?.includes(name)) {
      switches.add(name);
      continue;
    }
    const isList = spec.repeatable?.includes(name);
    if (!isList && !spec.values.includes(name)) throw new ConfigError(`unknown flag "--${name}"; flags: ${known.join(' ')}`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`flag --${name} needs a value`);
    }
    if (isList) (lists[name] ??= []).push(value);
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
