import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/engine/run/experiment';
import { checkSweep, parseSweepSpec, pointConfig, pointFromReport, runSweep, sweepCsv, SWEEP_EXPERIMENTS } from '../../src/engine/studies/sweep';
import { resolveConfig } from '../../src/engine/core/config';
import { tinyConfig, useWasm } from './helpers';

beforeAll(useWasm);
const serial = (cfg: Parameters<typeof runExperiment>[0], seeds: number[]) => runExperiment(cfg, { seeds });

describe('sweeps', () => {
  it("a sweep's points equal single runs with the same settings", async () => {
    const base = tinyConfig({ epochs: 2 });
    const sweep = await runSweep(base, 'contentCfAlignment', [0, 1], { seeds: [1, 2], runPoint: serial });
    expect(sweep.complete).toBe(true);
    expect(sweep.points.map((p) => p.value)).toEqual([0, 1]);
    const single = await runExperiment({ ...base, contentCfAlignment: 0 }, { seeds: [1, 2] });
    const again = pointFromReport(0, single);
    expect(JSON.stringify(sweep.points[0])).toBe(JSON.stringify(again));
    expect(sweep.points[0].jointGain.rec!.ci95).toHaveLength(2);
  });

  it('a stopped sweep keeps its finished points', async () => {
    const base = tinyConfig({ epochs: 1 });
    let done = 0;
    const sweep = await runSweep(base, 'recCoverage', [0.5, 0.75, 1], {
      seeds: [1], runPoint: serial, onPoint: () => done++, shouldStop: () => done >= 1,
    });
    expect(sweep.points).toHaveLength(1);
    expect(sweep.stopped).toBe(true);
    expect(sweep.complete).toBe(false);
  });

  it('the CSV and the JSON agree', async () => {
    const sweep = await runSweep(tinyConfig({ epochs: 1 }), 'recTrain', [200, 400], { seeds: [1, 2], runPoint: serial });
    const [header, ...rows] = sweepCsv(sweep).trim().split('\n').map((l) => l.split(','));
    expect(rows).toHaveLength(2);
    const col = (name: string) => header.indexOf(name);
    rows.forEach((row, i) => {
      const p = sweep.points[i];
      expect(Number(row[col('recTrain')])).toBe(p.value);
      expect(Number(row[col('gain_rec_mean')])).toBeCloseTo(p.jointGain.rec!.mean, 5);
      expect(Number(row[col('gain_rec_lo')])).toBeCloseTo(p.jointGain.rec!.ci95![0], 5);
      expect(Number(row[col('joint_rec_recall')])).toBeCloseTo(p.models.joint.rec!.recall, 5);
      expect(Number(row[col('klRecVsSearch')])).toBeCloseTo(p.dataStats.popularityKL.recVsSearch, 5);
      expect(Number(row[col('joint_cfAgreement')])).toBeCloseTo(p.embedding.joint!.cfAgreement, 5);
    });
  });

  it('rejects bad sweep specs with a clear message', () => {
    const base = resolveConfig({});
    expect(parseSweepSpec('recCoverage=0.2,0.6', base).values).toEqual([0.2, 0.6]);
    expect(() => parseSweepSpec('itemz=1,2', base)).toThrow(/unknown key "itemz"/);
    expect(() => parseSweepSpec('items=', base)).toThrow(/has no values/);
    expect(() => parseSweepSpec('items', base)).toThrow(/is not KEY=v1,v2/);
    expect(() => parseSweepSpec('recCoverage=0.5,3', base)).toThrow(/recCoverage="3" is not allowed: recCoverage must be a number from 0.05 to 1/);
    expect(() => parseSweepSpec('seed=1,2', base)).toThrow(/seed cannot be swept/);
    expect(() => parseSweepSpec('topics=2,50', resolveConfig({ items: 40 }))).toThrow(/topics=50 exceeds items=40/);
    expect(() => parseSweepSpec('items=100,100', base)).toThrow(/repeats a value/);
  });

  it('built-in experiments are valid sweeps', () => {
    for (const e of SWEEP_EXPERIMENTS) {
      const base = resolveConfig(e.base);
      if (e.variants) {
        // Named points: each stands for settings that must build.
        expect(() => checkSweep(base, e.key, e.values, e.name), e.name).not.toThrow();
        expect(Object.keys(e.variants)).toEqual(e.values.map(String));
        for (const v of e.values) expect(pointConfig(base, e.key, v, e.name)).toMatchObject(e.variants[String(v)]);
      } else {
        expect(() => parseSweepSpec(`${e.key}=${e.values.join(',')}`, base), e.name).not.toThrow();
      }
    }
    expect(() => pointConfig(resolveConfig({}), 'idScheme', 'semantic:nothing', 'ids')).toThrow(/not a point of the experiment ids/);
  });

  it('the runner keeps the finished points when interrupted', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bl-sweep-'));
    const args = ['--import', 'tsx', 'src/cli/experiment.ts', '--sweep', 'recTrain=200,300,400,500,600', '--seeds', '1', '--jobs', '1', '--out', out, '--quiet',
      '--set', 'items=30', '--set', 'topics=3', '--set', 'cfClusters=3', '--set', 'searchTrain=200', '--set', 'searchTest=40', '--set', 'recTest=40',
      '--set', 'dim=8', '--set', 'epochs=40', '--set', 'patience=0', '--set', 'batchSize=16'];
    const child = spawn(process.execPath, args, { stdio: 'pipe' });
    const file = join(out, 'sweep.json');
    // The first point, however loaded the machine (up to 4 minutes), then Ctrl-C.
    for (let i = 0; i < 2400 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    const sweep = JSON.parse(readFileSync(file, 'utf8'));
    expect(code).toBe(130);
    expect(sweep.stopped).toBe(true);
    expect(sweep.points.length).toBeGreaterThanOrEqual(1);
    expect(sweep.points.length).toBeLessThan(5);
    expect(readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n')).toHaveLength(sweep.points.length + 1);
  }, 300000);
});

describe('the quantities a claim can read', () => {
  it('include the realised KL of the training targets and the field\'s ARP and lift, Gen_R+S against Gen_R', async () => {
    const { seedQuantity, trendPoints } = await import('../../src/engine/studies/trends');
    const beyond = (arp: number[], lift: number[]) => ({ rec: { arp, popLift: lift } });
    const p = {
      value: 0.5, seeds: [1, 2],
      seedValues: {
        jointGain: {}, recall: {}, kl: {}, agreement: {},
        popularityKL: { recVsSearch: [0.3, 0.31], realised: [0.5, 0.52] },
        beyond: { joint: beyond([12, 14], [-0.5, -0.4]), rec: beyond([20, 18], [-0.3, -0.35]) },
      },
    };
    expect(seedQuantity(p, 'popularityKL.realised')).toEqual([0.5, 0.52]);
    expect(seedQuantity(p, 'arpDifference.rec')).toEqual([-8, -4]);
    expect(seedQuantity(p, 'popLiftDifference.rec').map((x) => Number(x!.toFixed(6)))).toEqual([-0.2, -0.05]);
    expect(seedQuantity(p, 'arp.rec.rec')).toEqual([20, 18]);
    expect(trendPoints([p], 'popularityKL.realised', 'arpDifference.rec')).toEqual([{ seed: 1, x: 0.5, y: -8 }, { seed: 2, x: 0.52, y: -4 }]);
    // An older sweep without them: no values, not zeros.
    expect(seedQuantity({ ...p, seedValues: { ...p.seedValues, beyond: undefined, popularityKL: { recVsSearch: [0.3, 0.31] } } }, 'arpDifference.rec')).toEqual([null, null]);
    expect(seedQuantity({ ...p, seedValues: { ...p.seedValues, popularityKL: { recVsSearch: [0.3, 0.31] } } }, 'popularityKL.realised')).toEqual([null, null]);
  });
});

describe('the field\'s measures over seeds', () => {
  it('are averaged into each scorer\'s means, for sweeps to plot', async () => {
    const report = await serial(tinyConfig(), [1, 2]);
    const k = report.config.k;
    for (const [scorer, get] of [['rec', (r: (typeof report.runs)[number]) => r.models.rec!.eval.rec!], ['popularity', (r: (typeof report.runs)[number]) => r.baselines.popularity.eval.rec]] as const) {
      const field = report.summary.means[scorer].rec!.field!;
      const arps = report.runs.map((r) => get(r)[`arp@${k}`] as number);
      expect(field.arp).toBeCloseTo((arps[0] + arps[1]) / 2, 3);
      expect(Object.keys(field).sort()).toEqual(['aplt', 'arp', 'coverage', 'gini', 'mrr', 'ndcg@5', 'popLift', 'recall@5']);
    }
    const point = pointFromReport(report.config.recTrain, report);
    expect(point.models.joint?.rec?.field?.popLift).toBe(report.summary.means.joint.rec!.field!.popLift);
  });
});
