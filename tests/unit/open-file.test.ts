import { beforeAll, describe, expect, it } from 'vitest';
import { runSeeds } from '../../src/engine/run/experiment';
import { parseResultsFile } from '../../src/engine/studies/open-file';
import { runSweep } from '../../src/engine/studies/sweep';
import type { Report } from '../../src/engine/core/report';
import { tinyConfig, useWasm } from './helpers';

beforeAll(useWasm);

describe('opening results files', () => {
  let report: Report;
  beforeAll(async () => {
    report = await runSeeds(tinyConfig({ epochs: 1, biencoder: false }), { seeds: [1, 2] });
  });

  it('opens a report (and a stored lesson run wrapping one) as it is', () => {
    const r = parseResultsFile('report.json', JSON.stringify({ ...report, command: 'npm run experiment -- --seeds 2' }));
    expect(r.kind).toBe('report');
    if (r.kind !== 'report') return;
    expect(r.report.runs[0].models.joint!.eval).toEqual(report.runs[0].models.joint!.eval);
    expect(r.report.summary).toEqual(report.summary);
    expect(r.report.command).toBe('npm run experiment -- --seeds 2');
    expect(parseResultsFile('classroom.json', JSON.stringify({ createdAt: '', command: 'npm run lessons', report })).kind).toBe('report');
  });

  it('names what is wrong, with its path in the file', () => {
    const bad = (mutate: (r: Record<string, any>) => void) => {
      const r = JSON.parse(JSON.stringify(report));
      mutate(r);
      return () => parseResultsFile('mine.json', JSON.stringify(r));
    };
    expect(() => parseResultsFile('mine.json', '{"schema": ')).toThrow(/^mine\.json: not a JSON file/);
    expect(bad((r) => { r.schema = 'other@1'; })).toThrow(/mine\.json: schema: "other@1" is not a results file Bridge Lab knows/);
    expect(bad((r) => { delete r.runs[1].models.joint.eval; })).toThrow(/mine\.json: runs\[1\]\.models\.joint\.eval: missing/);
    expect(bad((r) => { r.runs[0].itemInfo.topic.pop(); })).toThrow(/runs\[0\]\.itemInfo\.topic: 39 values where the catalogue has 40 items/);
    expect(bad((r) => { r.config.items = -3; })).toThrow(/config: items=-3 is not allowed/);
    expect(bad((r) => { r.runs = []; })).toThrow(/runs: empty/);
  });

  it('opens a sweep and computes its trends from the per-seed values', async () => {
    const sweep = await runSweep(tinyConfig({ epochs: 1, biencoder: false }), 'recCoverage', [0.5, 1], { seeds: [1, 2], runPoint: (cfg, seeds) => runSeeds(cfg, { seeds }) });
    const { trends, ...withoutTrends } = sweep;
    const r = parseResultsFile('sweep.json', JSON.stringify(withoutTrends));
    expect(r.kind).toBe('sweep');
    if (r.kind !== 'sweep') return;
    expect(r.sweep.points).toHaveLength(2);
    expect(r.sweep.trends).toEqual(trends);
    expect(() => parseResultsFile('sweep.json', JSON.stringify({ ...withoutTrends, key: 'nope' }))).toThrow(/key: "nope" is not a knob/);
  });
});
