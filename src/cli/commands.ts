/**
 * Every command's flags, one table each (args.ts parses them and prints `--help` from them;
 * a test checks that docs/runner.md documents each). Add a flag here first.
 */
import { BACKENDS } from '../engine/core/backends';
import { PRESET_NAMES } from '../engine/core/presets';
import { MOVIELENS_DEFAULTS } from '../engine/data/convert/movielens';
import type { Command, Flag } from './args';

const jobs: Flag = { name: 'jobs', arg: 'J', default: 'one per core', help: 'worker threads training side by side (the numbers do not depend on it)' };
const shard: Flag = { name: 'shard', arg: 'i/n|auto', help: 'run only the i-th of n disjoint shares of the jobs and save DIR/shard.json after each (a re-run resumes); join them with --merge. auto: i and n from the job array (Slurm, a Kubernetes Indexed Job, GitLab CI, or BRIDGE_SHARD_INDEX/COUNT; docs/cluster.md)' };
const merge: Flag = { name: 'merge', arg: 'DIR...', help: 'join the shard folders of one batch into the results (refuses another batch\'s shards, repeats and missing jobs)' };

export const EXPERIMENT: Command = {
  name: 'npm run experiment --',
  summary: 'train Gen_S, Gen_R and Gen_R+S (and the references) for each seed, print the summary and write DIR/report.json; or sweep one knob',
  usage: [
    '[--preset NAME] [--set KEY=VALUE]... [--seed S] [--seeds K] [--backend B] [--jobs J] [--out DIR] [--quiet]',
    '--sweep KEY=v1,v2,... | --experiment NAME   [the same flags] [--shard i/n]',
    '--merge DIR... [--out DIR]',
    '--data DIR [--seeds K] [--set KEY=VALUE]... [--sweep KEY=v1,v2,...] [--out DIR]',
    '--export-world DIR [--preset NAME] [--set KEY=VALUE]...',
    '--export recbole DIR [--preset NAME] [--set KEY=VALUE]... | [--data DIR2]',
    '--convert movielens|kuaisar|recbole SRC --out DIR [--min-rating R] [--k-core K] [--max-items N] [--max-session L] [--seed S]',
  ],
  sections: [
    {
      title: 'A run',
      flags: [
        { name: 'preset', arg: 'NAME', default: 'classroom (or the experiment\'s own)', help: `the world to start from: ${PRESET_NAMES.join(', ')}` },
        { name: 'set', arg: 'KEY=VALUE', repeatable: true, help: 'set one knob (every key of docs/runner.md "Every knob")' },
        { name: 'seed', arg: 'S', default: '1', help: 'the first seed (with --convert: the seed of the conversion\'s draws)' },
        { name: 'seeds', arg: 'K', default: '1; 3 for a sweep', help: 'how many seeds, S to S+K−1 (1 to 100)' },
        { name: 'backend', arg: 'B', default: 'wasm', help: 'tfjs backend in Node: wasm, cpu or webgpu' },
        jobs,
        { name: 'out', arg: 'DIR', default: 'out', help: 'the folder for report.json, or sweep.json and sweep.csv' },
        { name: 'quiet', help: 'print only the results, no progress' },
      ],
    },
    {
      title: 'A sweep: one knob over values',
      flags: [
        { name: 'sweep', arg: 'KEY=v1,v2,...', help: 'train every value of one knob at every seed' },
        { name: 'experiment', arg: 'NAME', help: 'a built-in study (docs/runner.md lists them): its preset, knob and values' },
        shard,
        merge,
      ],
    },
    {
      title: 'Data given as files',
      flags: [
        { name: 'data', arg: 'DIR', help: 'train on DIR/items.csv, queries.csv and sessions.csv (docs/data.md) instead of a simulated world' },
        { name: 'export-world', arg: 'DIR', help: 'write the simulated world as those three files instead of training' },
        { name: 'convert', arg: 'FORMAT SRC', help: 'convert a public dataset\'s files (movielens, kuaisar, or RecBole atomic files: recbole) in SRC into a --data folder at --out' },
        { name: 'export', arg: 'recbole DIR', help: 'write the simulated world (or --data\'s catalogue) as RecBole atomic files, with its train/valid/test split as benchmark files, into DIR (named after DIR)' },
        { name: 'min-rating', arg: 'R', default: String(MOVIELENS_DEFAULTS.minRating), help: 'with --convert movielens: the lowest rating kept (0 to 10)' },
        { name: 'k-core', arg: 'K', default: String(MOVIELENS_DEFAULTS.kCore), help: 'with --convert: keep users and items with at least K interactions' },
        { name: 'max-items', arg: 'N', default: String(MOVIELENS_DEFAULTS.maxItems), help: 'with --convert: keep at most the N most frequent items' },
        { name: 'max-session', arg: 'L', default: String(MOVIELENS_DEFAULTS.maxSessionLength), help: 'with --convert: keep at most L interactions of a user' },
      ],
    },
  ],
};

const reuse = { name: 'reuse', arg: 'FILE[,FILE]', help: 'take runs already made for jobs of this batch from stored lesson runs (public/lessons/<world>.json) or shards (shard.json of experiment --sweep --shard, findings --shard or lessons --shard); only runs with the same settings, catalogue and seed are taken' };

export const FINDINGS: Command = {
  name: 'npm run findings --',
  summary: 'run every built-in study and the ablations, and write public/findings/*.json, docs/findings/*.svg and docs/findings.md',
  usage: ['[--seeds K] [--only NAME[,NAME]] [--jobs J] [--reuse FILE[,FILE]] [--shard i/n --out DIR]', '--merge DIR... [--reuse FILE[,FILE]]', '--docs-only'],
  sections: [{
    title: 'Flags',
    flags: [
      { name: 'seeds', arg: 'K', default: 'each study\'s own (at least 10)', help: 'seeds for every study (2 to 200)' },
      { name: 'only', arg: 'NAME[,NAME]', default: 'all', help: 'only these studies (and/or ablations)' },
      jobs,
      shard,
      { name: 'out', arg: 'DIR', default: 'out', help: 'with --shard: the folder for shard.json' },
      merge,
      { name: 'docs-only', help: 'rewrite docs/ from public/findings/*.json without training' },
      reuse,
    ],
  }],
};

export const LESSONS: Command = {
  name: 'npm run lessons --',
  summary: 'train the lesson\'s worlds at 10 seeds and write public/lessons/*.json and docs/lessons.md',
  usage: ['[--only ID[,ID]] [--jobs J] [--reuse FILE[,FILE]] [--shard i/n --out DIR]', '--merge DIR... [--reuse FILE[,FILE]]', '--docs-only'],
  sections: [{
    title: 'Flags',
    flags: [
      { name: 'only', arg: 'ID[,ID]', default: 'every world', help: 'only these lesson worlds' },
      jobs,
      shard,
      { name: 'out', arg: 'DIR', default: 'out', help: 'with --shard: the folder for shard.json' },
      merge,
      { name: 'docs-only', help: 'rewrite docs/lessons.md from public/lessons/*.json without training' },
      reuse,
    ],
  }],
};

/** The bench's shape: each flag's [lowest, highest, default]. */
export const BENCH_LIMITS: Record<string, [number, number, number]> = {
  items: [2, 100000, 2000], words: [1, 100000, 1000], seq: [1, 64, 8], batch: [1, 4096, 256],
  dim: [4, 1024, 64], layers: [1, 8, 1], heads: [1, 16, 1], steps: [1, 10000, 20], warmup: [0, 1000, 5],
  'id-levels': [2, 4, 2], 'id-codebook': [4, 64, 16],
};
const BENCH_HELP: Record<string, string> = {
  items: 'items (atomic ID tokens)', words: 'vocabulary words', seq: 'input length', batch: 'examples per step', dim: 'embedding width',
  layers: 'encoder layers', heads: 'attention heads (must divide --dim)', steps: 'timed steps', warmup: 'untimed steps first',
  'id-levels': 'with --id-scheme semantic: code levels', 'id-codebook': 'with --id-scheme semantic: codes per level',
};

export const BENCH: Command = {
  name: 'npm run bench --',
  summary: 'time the training step at a shape, and the same step in PyTorch on this machine where it is installed',
  usage: ['[--items N] [--words N] [--seq N] [--batch N] [--dim N] [--layers N] [--heads N] [--steps N] [--warmup N] [--backend B] [--id-scheme S] [--json] [--no-torch]'],
  sections: [{
    title: 'Flags',
    flags: [
      ...Object.entries(BENCH_LIMITS).map(([name, [lo, hi, def]]) => ({ name, arg: 'N', default: String(def), help: `${BENCH_HELP[name]} (${lo} to ${hi})` })),
      { name: 'backend', arg: 'B', default: 'wasm', help: 'wasm, cpu or webgpu' },
      { name: 'id-scheme', arg: 'S', default: 'atomic', help: 'atomic or semantic (the code head; the PyTorch reference is atomic)' },
      { name: 'json', help: 'print one JSON line' },
      { name: 'no-torch', help: 'skip the PyTorch reference' },
      { name: 'profile', help: 'also time each tfjs kernel of the step (wasm, cpu): kernels per step, where the time goes' },
    ],
  }],
};

export const BENCH_BROWSER: Command = {
  name: 'npm run bench:browser --',
  summary: 'time the app\'s full run in headless Chromium per backend, the lesson\'s live training, the first load and Lighthouse',
  usage: ['[--preset NAME] [--backends LIST] [--set k=v&k=v] [--json]'],
  sections: [{
    title: 'Flags',
    flags: [
      { name: 'preset', arg: 'NAME', default: 'classroom', help: 'the world the page trains' },
      { name: 'backends', arg: 'LIST', default: 'auto,webgpu,wasm,wasm-1thread', help: `comma-separated runs: ${['auto', ...BACKENDS, 'wasm-1thread', 'lesson', 'first-load', 'lighthouse'].join(', ')}` },
      { name: 'set', arg: 'k=v&k=v', help: 'knobs added to the page\'s URL' },
      { name: 'json', help: 'print JSON' },
    ],
  }],
};

export const COMMANDS = [EXPERIMENT, FINDINGS, LESSONS, BENCH, BENCH_BROWSER];

/** The experiment command's flags that only --convert reads. */
export const CONVERT_ONLY = ['min-rating', 'k-core', 'max-items', 'max-session'];
