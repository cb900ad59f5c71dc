import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flagsOf } from '../../src/cli/args';
import { BENCH, BENCH_BROWSER, EXPERIMENT, FINDINGS, LESSONS } from '../../src/cli/commands';

const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
function run(script: string, args: string[]) {
  const r = spawnSync(tsx, [`src/cli/${script}.ts`, ...args], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const tiny = ['--set', 'items=30', '--set', 'topics=3', '--set', 'cfClusters=3', '--set', 'searchTrain=200', '--set', 'recTrain=200',
  '--set', 'searchTest=50', '--set', 'recTest=50', '--set', 'epochs=1', '--set', 'dim=8', '--set', 'batchSize=32'];

describe('every command', () => {
  it.each([
    ['experiment', EXPERIMENT], ['findings', FINDINGS], ['lessons', LESSONS], ['bench', BENCH], ['bench-browser', BENCH_BROWSER],
  ] as const)('%s: --help and -h print every flag of its table with its argument and exit 0; an unknown flag names itself and prints the list', (script, command) => {
    for (const ask of ['--help', '-h']) {
      const r = run(script, [ask]);
      expect(r.code, r.err).toBe(0);
      for (const f of flagsOf(command)) expect(r.out).toContain(`--${f.name}${f.arg ? ` ${f.arg}` : ''}`);
    }
    const bad = run(script, ['--frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown flag "--frobnicate"/);
    for (const f of flagsOf(command)) expect(bad.err).toContain(`--${f.name}`);
  });
});

describe('runner', () => {
  it('writes report.json per the contract and prints the summary', () => {
    const out = mkdtempSync(join(tmpdir(), 'bl-'));
    const r = run('experiment', [...tiny, '--seeds', '2', '--out', out, '--quiet']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Task: rec \(mean over 2 seeds\)/);
    expect(r.out).toMatch(/tensors left: 0/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.schema).toBe('bridge-lab/report@1');
    expect(report.config.items).toBe(30);
    expect(report.runs.map((x: { seed: number }) => x.seed)).toEqual([1, 2]);
    expect(report.summary.jointGain.rec.ci95).toHaveLength(2);
  });

  it.each([
    [['--set', 'itemz=3'], /unknown key "itemz"/],
    [['--set', 'items=9'], /items must be an integer from 20 to 20000/],
    [['--set', 'queryNoise=lots'], /queryNoise must be a number from 0 to 1/],
    [['--preset', 'nope'], /unknown preset "nope"; presets: classroom/],
    [['--backend', 'tpu'], /unknown backend "tpu"; in Node: wasm, cpu, webgpu/],
    [['--seeds', '0'], /--seeds "0" is not allowed/],
    [['--set', 'items=20', '--set', 'topics=40'], /topics=40 exceeds items=20/],
    [['--frobnicate'], /unknown flag "--frobnicate"/],
    [['--set', 'dataRecUsers=0.5'], /dataRecUsers applies to imported data only: give the files with --data DIR/],
    [['--sweep', 'dataSearchItems=0.5,1'], /dataSearchItems applies to imported data only/],
    [['--set', 'jointSelection=best'], /jointSelection must be one of perTask, shared/],
    [['--set', 'indexing=17'], /indexing must be an integer from 0 to 16/],
    [['--export', 'parquet', '/tmp/never-written'], /unknown export format "parquet"; formats: recbole/],
    [['--export', 'recbole'], /--export needs a format and a folder: --export recbole DIR/],
  ])('rejects %j with a clear message, exit 2, nothing written', (args, message) => {
    const out = join(mkdtempSync(join(tmpdir(), 'bl-')), 'never');
    const r = run('experiment', [...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an --out it cannot write before any training', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bl-')), 'a-file');
    writeFileSync(file, 'x');
    const r = run('experiment', [...tiny, '--out', file, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*a-file: cannot write results there \(EEXIST|ENOTDIR/);
    expect(r.out).toBe('');
  });

  /** Starts the runner as `npm run experiment` does (node --import tsx) on worlds slow enough to be interrupted in,
   *  and sends Ctrl-C once seed 2 starts; resolves with the exit code and what it printed. */
  const interruptAtSeed2 = (args: string[]) => {
    const slow = tiny.map((a) => (a === 'searchTrain=200' ? 'searchTrain=2000' : a === 'recTrain=200' ? 'recTrain=2000' : a));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/experiment.ts', ...slow, '--jobs', '1', ...args]);
    let err = '';
    return new Promise<{ code: number | null; err: string }>((resolve) => {
      child.stderr.on('data', (d) => {
        err += String(d);
        if (/seed 2: building/.test(err) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (code) => resolve({ code, err }));
    });
  };

  it('Ctrl-C on a multi-seed run writes the finished seeds, marked stopped, and exits 130', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bl-')), 'stopped');
    const { code, err } = await interruptAtSeed2(['--seeds', '4', '--out', out]);
    expect(code, err).toBe(130);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.stopped).toBe(true);
    expect(report.runs.map((x: { seed: number }) => x.seed)).toEqual([1]);
  }, 120000);

  it('Ctrl-C on a sweep shard keeps the point\'s finished seeds in shard.json (a re-run resumes from them: shards.test.ts)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bl-')), 'shard');
    const { code, err } = await interruptAtSeed2(['--sweep', 'recCoverage=0.5', '--seeds', '3', '--shard', '1/1', '--out', out]);
    expect(code, err).toBe(130);
    const shard = JSON.parse(readFileSync(join(out, 'shard.json'), 'utf8'));
    expect(shard.complete).toBe(false);
    expect(shard.runs.map((x: { run: { seed: number } }) => x.run.seed)).toEqual([1]);
  }, 120000);

  it('bench prints one JSON line with msPerStep', () => {
    const r = run('bench', ['--items', '50', '--words', '20', '--seq', '4', '--batch', '16', '--dim', '8', '--steps', '2', '--warmup', '1', '--json', '--no-torch', '--profile']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.msPerStep).toBeGreaterThan(0);
    expect(j.tensorsLeft).toBe(0);
    // --profile: where the step's time goes, kernel by kernel.
    expect(j.profile.kernelsPerStep).toBeGreaterThan(100);
    expect(j.profile.kernelMsPerStep).toBeGreaterThan(0);
    expect(j.profile.byKernel.map((k: { name: string }) => k.name)).toContain('BatchMatMul');
    expect(j.profile.itemShare).toBeGreaterThan(0);
    const sem = run('bench', ['--items', '50', '--words', '20', '--seq', '4', '--batch', '16', '--dim', '8', '--steps', '2', '--warmup', '1', '--json', '--no-torch', '--id-scheme', 'semantic', '--id-codebook', '4']);
    expect(sem.code).toBe(0);
    const js = JSON.parse(sem.out);
    expect(js).toMatchObject({ idScheme: 'semantic', stepper: 'plain (backend wasm)', tensorsLeft: 0, 'id-codebook': 4 });
    expect(js.loss).toBeGreaterThan(0);
    expect(run('bench', ['--id-scheme', 'codes']).err).toMatch(/--id-scheme "codes" is not allowed: use atomic or semantic/);
  });
});
