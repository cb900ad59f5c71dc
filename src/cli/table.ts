/** The runner's readable summary of a report. */
import { MODEL_LABELS, type Report } from '../engine/core/report';

const f = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

export function formatSummary(report: Report): string {
  const k = report.config.k;
  const lines: string[] = [];
  const ds = report.dataStats;
  const data = (report.config as { data?: { name: string } }).data;
  lines.push(`\n${data ? `Data ${data.name}` : 'World'}: ${report.config.items} items · KL(p_R‖p_S) ${f(ds.popularityKL.recVsSearch)} · KL(p_S‖p_R) ${f(ds.popularityKL.searchVsRec)} · Spearman ρ ${f(ds.popularitySpearman)} · alignment ${f(ds.realizedAlignment, 2)} · train ${ds.trainExamples.search} search / ${ds.trainExamples.rec} rec`);
  for (const task of ['search', 'rec'] as const) {
    lines.push(`\nTask: ${task} (mean over ${report.runs.length} seed${report.runs.length === 1 ? '' : 's'})`);
    lines.push(`  ${'model'.padEnd(12)}${`Recall@${k}`.padStart(11)}${`NDCG@${k}`.padStart(10)}${'pop KL'.padStart(9)}${'content'.padStart(9)}${'CF'.padStart(7)}${'cold R'.padStart(8)}${'valid'.padStart(7)}`);
    const row = (name: string, key: string, emb?: { c: number; f: number }) => {
      const m = report.summary.means[key]?.[task];
      if (!m) return;
      lines.push(`  ${name.padEnd(12)}${f(m.recall).padStart(11)}${f(m.ndcg).padStart(10)}${f(m.kl).padStart(9)}${(emb ? f(emb.c, 2) : '').padStart(9)}${(emb ? f(emb.f, 2) : '').padStart(7)}${f(m.coldRecall).padStart(8)}${(m.validRate === undefined ? '' : f(m.validRate, 2)).padStart(7)}`);
    };
    row('Popularity', 'popularity');
    row('BM25', 'bm25');
    row('Bi-encoder', 'biencoder');
    for (const m of ['search', 'rec', 'joint'] as const) {
      const runs = report.runs.map((r) => r.models[m]).filter((x) => x);
      if (!runs.length) continue;
      const mean = (g: (x: NonNullable<(typeof runs)[number]>) => number) => runs.reduce((s, x) => s + g(x!), 0) / runs.length;
      row(MODEL_LABELS[m], m, { c: mean((x) => x.embedding.contentAgreement), f: mean((x) => x.embedding.cfAgreement) });
    }
    row('Oracle', 'oracle');
    const g = report.summary.jointGain[task];
    if (g) lines.push(`  joint gain (Recall@${k}): ${pct(g.mean)}${g.ci95 ? `  95% CI [${pct(g.ci95[0])}, ${pct(g.ci95[1])}]` : '  (one seed: no interval)'}`);
  }
  const ch = report.runs[0]?.models.search?.embedding.chance ?? report.runs[0]?.models.rec?.embedding.chance;
  if (ch) lines.push(`\nNeighbour agreement by chance: content ${f(ch.content, 2)}, CF ${f(ch.cf, 2)}. Cold R: Recall@${k} on test targets the task never saw in training (— where there are none); valid: share of generated top-${k} IDs that are real items.`);
  const ids = report.runs[0]?.ids;
  if (ids) lines.push(`Semantic IDs from ${ids.source}: ${ids.levels} levels × ${ids.codebook} codes${ids.length > ids.levels ? ` + a final code (${ids.collisions} colliding items, largest group ${ids.largestGroup})` : ''}; code tokens ${ids.tokens}.`);
  if (ids?.diagnostics) lines.push(...diagnosticsLines(ids.diagnostics));
  if (report.stopped) lines.push('\nStopped before the end: the report holds the finished runs only.');
  return lines.join('\n') + '\n';
}

/** Seed 1's semantic-ID diagnostics, a line per code position and per prefix length. */
function diagnosticsLines(d: import('../engine/core/report').IdDiagnostics): string[] {
  const out = [`ID diagnostics (first seed): collision rate ${f(d.collisionRate)}, largest group ${d.largestGroup}`];
  d.levels.forEach((l, i) => out.push(`  code ${i + 1}: ${l.used} of ${l.size} codes used, entropy ${f(l.entropy, 2)} of ${f(l.maxEntropy, 2)} bits`));
  for (const p of d.prefixes) out.push(`  prefix of ${p.length}: co-occurring pairs sharing it ${f(p.cooccurrence)} (chance ${f(p.cooccurrenceChance)}); pairs sharing it in one topic ${f(p.topic)} (chance ${f(p.topicChance)})`);
  return out;
}

export function formatSweepHeader(key: string, k: number): string {
  return `\n${key.padStart(20)} ${'KL(R‖S)'.padStart(8)} ${'rec gain [95% CI]'.padStart(28)} ${'search gain'.padStart(12)} ${`Gen_R R@${k}`.padStart(10)} ${`joint R@${k}`.padStart(10)} ${'KL Gen_R'.padStart(9)} ${'KL joint'.padStart(9)} ${'joint content/CF'.padStart(17)}\n`;
}

export function formatSweepRow(p: import('../engine/studies/sweep').SweepPoint): string {
  const g = p.jointGain.rec;
  const gs = p.jointGain.search;
  const ci = g?.ci95 ? `[${pct(g.ci95[0])}, ${pct(g.ci95[1])}]` : '';
  const e = p.embedding.joint;
  return `${String(p.value).padStart(20)} ${f(p.dataStats.popularityKL.recVsSearch).padStart(8)} ${`${g ? pct(g.mean) : '—'} ${ci}`.padStart(28)} ${(gs ? pct(gs.mean) : '—').padStart(12)} ${f(p.models.rec?.rec?.recall).padStart(10)} ${f(p.models.joint?.rec?.recall).padStart(10)} ${f(p.models.rec?.rec?.kl).padStart(9)} ${f(p.models.joint?.rec?.kl).padStart(9)} ${(e ? `${f(e.contentAgreement, 2)}/${f(e.cfAgreement, 2)}` : '—').padStart(17)}\n`;
}
