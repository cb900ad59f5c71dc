import { describe, expect, it } from 'vitest';
import { idsFindings, pairedDifference } from '../../src/engine/studies/findings-ids';
import type { Sweep, SweepPoint } from '../../src/engine/studies/sweep';

/** A point of the ids experiment with the given per-seed Gen_R cold recall. */
function point(value: string, cold: number[], searchRecall = 0.8): SweepPoint {
  const seeds = cold.map((_, i) => i + 1);
  const rec = { recall: 0.4, ndcg: 0.3, kl: 1, coldRecall: cold.reduce((a, b) => a + b, 0) / cold.length, warmRecall: 0.7, validRate: 1 };
  return {
    value, seeds,
    dataStats: { popularityKL: { recVsSearch: 0, searchVsRec: 0 }, popularitySpearman: 1, realizedAlignment: 1, coverage: { search: 1, rec: 0.5 }, trainExamples: { search: 1, rec: 1 } },
    jointGain: {},
    models: { search: { search: { recall: searchRecall, ndcg: 0.5, kl: 1, validRate: 1 } }, rec: { rec }, joint: { rec: { ...rec, kl: 0.5 }, search: { recall: searchRecall, ndcg: 0.5, kl: 1, validRate: 1 } } },
    embedding: { rec: { contentAgreement: 0.3, cfAgreement: 0.3 }, joint: { contentAgreement: 0.6, cfAgreement: 0.6 } },
    perSeed: { rec: { rec: { recall: cold.map(() => 0.4), cold, warm: cold.map(() => 0.7) } }, joint: { rec: { recall: cold.map(() => 0.4), cold, warm: cold.map(() => 0.7) }, search: { recall: cold.map(() => searchRecall), cold: cold.map(() => null), warm: cold.map(() => searchRecall) } } },
    seedValues: { jointGain: {}, recall: { search: { search: cold.map(() => searchRecall) } }, kl: {}, agreement: {}, popularityKL: { recVsSearch: cold.map(() => 0) } },
    stopped: false,
  };
}

const sweep = (points: SweepPoint[]): Sweep => ({ schema: 'bridge-lab/sweep@1', experiment: 'ids', key: 'idScheme', values: points.map((p) => p.value), config: {} as Sweep['config'], seeds: [1, 2, 3], points, complete: true, stopped: false, createdAt: '' });

describe('the ids findings', () => {
  it('pairs differences by seed', () => {
    const d = pairedDifference(point('atomic', [0, 0.1, 0.2]), point('semantic:content', [0.1, 0.2, 0.3]), 'rec', 'rec', 'cold')!;
    expect(d.mean).toBeCloseTo(0.1, 9);
    expect(d.ci95![1] - d.ci95![0]).toBeCloseTo(0, 9);
  });

  it('computes its verdicts from the points', () => {
    const verdictOf = (s: Sweep, start: string) => idsFindings(s).find((x) => x.text.startsWith(start))!.verdict;
    const cold = 'Semantic IDs from content';
    expect(verdictOf(sweep([point('atomic', [0, 0, 0]), point('semantic:content', [0.05, 0.04, 0.06])]), cold)).toBe('agrees');
    expect(verdictOf(sweep([point('atomic', [0.05, 0.04, 0.06]), point('semantic:content', [0, 0, 0])]), cold)).toBe('disagrees');
    expect(verdictOf(sweep([point('atomic', [0, 0.1, 0]), point('semantic:content', [0.1, 0, 0.02])]), cold)).toBe('unclear');
    const keeps = 'Gen_S keeps at least 70 %';
    expect(verdictOf(sweep([point('atomic', [0, 0, 0]), point('semantic:content', [0, 0, 0], 0.6)]), keeps)).toBe('agrees');
    expect(verdictOf(sweep([point('atomic', [0, 0, 0]), point('semantic:content', [0, 0, 0], 0.5)]), keeps)).toBe('disagrees');
  });
});
