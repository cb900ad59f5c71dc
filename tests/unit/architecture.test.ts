/**
 * The house's rules, checked on the source: no import cycle, and no import from a lower
 * room to a higher one (docs/architecture.md). Type-only imports count too.
 *
 *   core ← sim, data ← model ← train ← eval ← run ← studies ← cli, worker ← app
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');
const ROOMS: [string, number][] = [
  ['engine/core/', 0], ['engine/sim/', 1], ['engine/data/', 1], ['engine/model/', 2], ['engine/train/', 3], ['engine/eval/', 4],
  ['engine/run/', 5], ['engine/studies/', 6], ['cli/', 7], ['worker/', 7], ['app/', 8],
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) && !f.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const ext of ['', '.ts', '.tsx', '/index.ts']) {
    try { if (statSync(base + ext).isFile()) return base + ext; } catch { /* next */ }
  }
  return null;
}

/** Every file's relative imports (static, dynamic, worker URLs), as paths under src/. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'|new URL\(\s*'(\.{1,2}\/[^']+)'/g)]
      .map((m) => resolveImport(file, m[1] ?? m[2]))
      .filter((d): d is string => d !== null)
      .map((d) => relative(SRC, d));
    graph.set(relative(SRC, file), [...new Set(deps)]);
  }
  return graph;
}

/** The modules the page's main thread loads from `entry`: value imports only (type-only
 *  imports vanish in the build; the worker is a URL, loaded in its own thread), with the
 *  packages each one imports. */
function mainThread(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(join(SRC, file), 'utf8');
    const values = [...text.matchAll(/^(?:import|export)\s+(?!type\s)([^;]*?)\s+from\s+'([^']+)'|^import\s+'([^']+)'/gm)]
      .filter((m) => m[3] || !/^\{[^}]*\}$/.test(m[1].trim()) || m[1].replace(/[{}]/g, '').split(',').some((n) => n.trim() && !n.trim().startsWith('type ')))
      .map((m) => m[2] ?? m[3]);
    seen.set(file, values.filter((v) => !v.startsWith('.')));
    for (const v of values.filter((x) => x.startsWith('.'))) {
      const d = resolveImport(join(SRC, file), v);
      if (d) visit(relative(SRC, d));
    }
  };
  visit(entry);
  return seen;
}

/**
 * Rooms inside the app: the state (the store and its slices in state/, the URL, the
 * worker's client and what they use) holds no words and draws nothing, so it never imports the views or the lesson's
 * content; the content (the lesson's steps, the glossary) is data the views read, importing
 * neither; the views (panels, charts, the lesson's view) depend on both.
 */
const APP_STATE = ['app/store.ts', 'app/url.ts', 'app/url-sync.ts', 'app/worker-client.ts', 'app/backend-cache.ts', 'app/stored-runs.ts', 'app/updates.ts', 'app/test-hooks.ts', 'app/real-worlds.ts', 'app/sw.ts'];
const APP_CONTENT = ['app/lesson/steps.ts', 'app/glossary.ts'];
type AppRoom = 'state' | 'content' | 'views';
const appRoom = (f: string): AppRoom | null => (!f.startsWith('app/') || f === 'app/format.ts' ? null : APP_STATE.includes(f) || f.startsWith('app/state/') ? 'state' : APP_CONTENT.includes(f) ? 'content' : 'views');
/** Imports inside the app that break its rooms: state → views or content, content → state or views. */
export function appViolations(graph: Map<string, string[]>): string[] {
  const allowed: Record<AppRoom, AppRoom[]> = { state: ['state'], content: ['content'], views: ['views', 'state', 'content'] };
  const out: string[] = [];
  for (const [file, deps] of graph) {
    const from = appRoom(file);
    if (!from) continue;
    for (const d of deps) { const to = appRoom(d); if (to && !allowed[from].includes(to)) out.push(`${file} (${from}) → ${d} (${to})`); }
  }
  return out;
}

const room = (path: string): number | null => ROOMS.find(([prefix]) => path.startsWith(prefix))?.[1] ?? null;

describe('the house', () => {
  const graph = importGraph();

  it('puts every source file in a room', () => {
    expect([...graph.keys()].filter((f) => room(f) === null && f !== 'app/vite-env.d.ts')).toEqual([]);
  });

  it('has no import from a lower room to a higher one', () => {
    const up: string[] = [];
    for (const [file, deps] of graph) for (const d of deps) if ((room(d) ?? 0) > (room(file) ?? 0)) up.push(`${file} → ${d}`);
    expect(up).toEqual([]);
  });

  it('loads no tfjs, UMAP, model, trainer or kernel code on the page\'s main thread (the worker holds them)', () => {
    const loaded = mainThread('app/main.tsx');
    const heavy = [...loaded].flatMap(([file, packages]) => [
      ...packages.filter((p) => p.startsWith('@tensorflow/') || p === 'umap-js').map((p) => `${file} imports ${p}`),
      ...(/^engine\/(model|train)\/|^engine\/eval\/(score-model|embeddings|generate)\.ts$|^worker\//.test(file) ? [`${file} is loaded`] : []),
    ]);
    expect(heavy).toEqual([]);
    expect(loaded.size).toBeGreaterThan(20); // the walk reached the app
  });

  it('keeps the app\'s rooms: the state imports no view and no lesson content, the content neither', () => {
    expect(appViolations(graph)).toEqual([]);
    // A planted upward import is caught.
    const planted = new Map(graph);
    planted.set('app/store.ts', [...(graph.get('app/store.ts') ?? []), 'app/lesson/steps.ts', 'app/panels/LabView.tsx']);
    planted.set('app/state/lesson.ts', [...(graph.get('app/state/lesson.ts') ?? []), 'app/lesson/LessonView.tsx']);
    expect(appViolations(planted).sort()).toEqual(['app/state/lesson.ts (state) → app/lesson/LessonView.tsx (views)', 'app/store.ts (state) → app/lesson/steps.ts (content)', 'app/store.ts (state) → app/panels/LabView.tsx (views)']);
    for (const f of [...APP_STATE, ...APP_CONTENT]) expect(graph.has(f), `${f} exists`).toBe(true);
  });

  it('asks no head its kind outside the heads: the trainer, evaluation, kernels and views call the IdHead interface', () => {
    const branches = (files: Map<string, string>) => [...files].flatMap(([f, text]) =>
      f.startsWith('engine/model/heads/') || f === 'engine/core/config.ts' ? [] :
        text.split('\n').flatMap((line, i) => (/idScheme ===|head\.kind|spec\.ids/.test(line) ? [`${f}:${i + 1}`] : [])));
    const files = new Map([...graph.keys()].map((f) => [f, readFileSync(join(SRC, f), 'utf8')]));
    expect(branches(files)).toEqual([]);
    // A planted branch is caught.
    files.set('engine/eval/evaluate.ts', `${files.get('engine/eval/evaluate.ts')}\nif (model.head.kind === 'codes') {}`);
    expect(branches(files)).toHaveLength(1);
  });

  it('has no import cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') { cycles.push([...path.slice(path.indexOf(f)), f].join(' → ')); return; }
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
