/** Every knob of the world, grouped, each with its one-line explanation, plus presets and the seed. */
import { useMemo } from 'react';
import { Glossed } from '../Glossed';
import { GROUP_LABELS, IMPORT_ONLY_KEYS, importedDataOf, isSimulationKey, PARAMS, worldProblems, type Config, type ConfigKey, type Group, type Param } from '../../engine/core/config';
import { PRESETS } from '../../engine/core/presets';
import { worldStats } from '../../engine/sim/stats';
import { buildWorld } from '../../engine/sim/world';
import { fmt } from '../format';
import { REAL_WORLDS } from '../real-worlds';
import { useLab } from '../store';

/** Knobs that only mean something with semantic IDs. */
const SEMANTIC_ONLY = new Set<string>(['idSource', 'idLevels', 'idCodebook', 'idTokens', 'idFinalCode']);

const GROUP_ORDER: Group[] = ['catalogue', 'popularity', 'contentCf', 'data', 'model', 'training', 'ablation', 'run'];

function Knob({ p, value, disabled, onChange }: { p: Param; value: Config[ConfigKey]; disabled: boolean; onChange: (v: Config[ConfigKey]) => void }) {
  const id = `knob-${p.key}`;
  const helpId = `${id}-help`;
  let input;
  if (p.type === 'bool') {
    input = <input id={id} type="checkbox" checked={value as boolean} disabled={disabled} aria-describedby={helpId} onChange={(e) => onChange(e.target.checked)} />;
  } else if (p.type === 'enum') {
    input = (
      <select id={id} value={String(value)} disabled={disabled} aria-describedby={helpId} onChange={(e) => onChange(p.options.find((o) => String(o) === e.target.value) as Config[ConfigKey])}>
        {p.options.map((o) => <option key={String(o)} value={String(o)}>{String(o)}</option>)}
      </select>
    );
  } else if (p.key === 'seed') {
    input = (
      <input id={id} type="number" min={p.min} max={p.max} step={1} value={value as number} disabled={disabled} aria-describedby={helpId}
        onChange={(e) => { const v = Number(e.target.value); if (Number.isInteger(v) && v >= p.min && v <= p.max) onChange(v); }} />
    );
  } else {
    const step = p.type === 'float' ? p.step : p.step ?? 1;
    const max = p.type === 'int' && p.max > 20000 ? Math.min(p.max, 20000) : p.max; // sliders stop at a sensible size
    input = (
      <input id={id} type="range" min={p.min} max={max} step={step} value={value as number} disabled={disabled} aria-describedby={helpId}
        onChange={(e) => onChange(p.type === 'int' ? Math.round(Number(e.target.value)) : Number(e.target.value))} />
    );
  }
  return (
    <div className={`knob knob-${p.type}`}>
      <label htmlFor={id}>
        <span className="knob-label">{p.label}</span>
        {p.type !== 'bool' && p.type !== 'enum' && p.key !== 'seed' && <output htmlFor={id}>{p.type === 'float' ? fmt(value as number, p.step < 0.01 ? 4 : 2) : String(value)}</output>}
      </label>
      {input}
      <p className="help" id={helpId}><Glossed text={p.help} /></p>
    </div>
  );
}

function DerivedStats({ config }: { config: Config }) {
  const problems = useMemo(() => worldProblems(config), [config]);
  const stats = useMemo(() => (problems.length ? null : worldStats(buildWorld(config))), [config, problems]);
  if (problems.length) return <div className="problems" role="alert">{problems.map((p) => <p key={p}>{p}</p>)}</div>;
  if (!stats) return null;
  return (
    <dl className="derived" aria-label="Statistics of this world">
      <div><dt>KL(p<sub>R</sub>‖p<sub>S</sub>)</dt><dd>{fmt(stats.popularityKL.recVsSearch)}</dd></div>
      <div><dt>KL(p<sub>S</sub>‖p<sub>R</sub>)</dt><dd>{fmt(stats.popularityKL.searchVsRec)}</dd></div>
      <div><dt>Spearman ρ</dt><dd>{fmt(stats.popularitySpearman, 2)}</dd></div>
      <div><dt>aligned items</dt><dd>{fmt(stats.realizedAlignment * 100, 0)} %</dd></div>
      <div><dt>search covers</dt><dd>{fmt(stats.coverage.search * 100, 0)} %</dd></div>
      <div><dt>rec covers</dt><dd>{fmt(stats.coverage.rec * 100, 0)} %</dd></div>
    </dl>
  );
}

/** Simulated (a preset's world) or one of the real catalogues shipped with the page. */
function WorldPicker({ busy }: { busy: boolean }) {
  const { config, preset, dataset, applyPreset, loadRealWorld } = useLab();
  const imported = importedDataOf(config);
  const real = REAL_WORLDS.find((w) => w.name === imported?.name);
  return (
    <div className="preset">
      <label htmlFor="world">World</label>
      <select id="world" data-testid="world" value={real?.id ?? (imported ? 'file' : 'simulated')} disabled={busy}
        onChange={(e) => (e.target.value === 'simulated' ? applyPreset(preset) : void loadRealWorld(e.target.value))}>
        <option value="simulated">Simulated (a preset below)</option>
        {REAL_WORLDS.map((w) => <option key={w.id} value={w.id}>Real · {w.name}</option>)}
        {imported && !real && <option value="file" disabled>Imported · {imported.name}</option>}
      </select>
      {real && (
        <>
          <p className="help">{real.description}</p>
          <p className="help" role="status" data-testid="world-status">
            {dataset.summary?.name === real.name ? `Loaded: ${dataset.summary.counts.items.toLocaleString('en')} items, ${dataset.summary.counts.search.train.toLocaleString('en')} training queries, ${dataset.summary.counts.rec.train.toLocaleString('en')} training sessions' examples. Press Train.`
              : dataset.status === 'parsing' ? 'Loading and parsing the files…'
              : dataset.error ? `Not loaded: ${dataset.error}` : 'Not loaded: choose it again to load it.'}
          </p>
        </>
      )}
    </div>
  );
}

export function Controls() {
  const { config, preset, status, setKnob, applyPreset } = useLab();
  const busy = status === 'training' || status === 'starting';
  const presetInfo = PRESETS.find((p) => p.name === preset);
  const imported = importedDataOf(config);
  return (
    <aside className="controls" data-testid="controls" aria-label="Settings of the world">
      <WorldPicker busy={busy} />
      <div className="preset">
        <label htmlFor="preset">Preset</label>
        <select id="preset" data-testid="preset" value={preset} disabled={busy} onChange={(e) => applyPreset(e.target.value)}>
          {PRESETS.map((p) => <option key={p.name} value={p.name}>{p.title}</option>)}
        </select>
        {presetInfo && !imported && <p className="help">{presetInfo.description}</p>}
      </div>
      {imported ? (
        <p className="imported-note" role="note" data-testid="imported-note">
          {REAL_WORLDS.some((w) => w.name === imported.name) ? <>The world is a real catalogue (<strong>{imported.name}</strong>)</> : <>These results were trained on imported data (<strong>{imported.name}</strong>)</>}:
          it has no simulated world, so the knobs that only a simulation has (catalogue, popularity, content vs CF and the simulated data) are
          disabled; the model and training knobs apply. Pick a preset to design a simulated world.
        </p>
      ) : (
        <DerivedStats config={config} />
      )}
      {(imported ? [...GROUP_ORDER, 'import' as const] : GROUP_ORDER).map((g) => (
        <details key={g} open={g === 'catalogue' || g === 'popularity' || g === 'contentCf' || g === 'run' || g === 'import'}>
          <summary>{GROUP_LABELS[g]}</summary>
          {/* An imported catalogue's shares apply at training time; its vocabulary was fixed when it was read. */}
          {PARAMS.filter((p) => p.group === g && !(g === 'import' && !IMPORT_ONLY_KEYS.includes(p.key as never))).map((p) => (
            <Knob key={p.key} p={p as Param} value={config[p.key as ConfigKey]} disabled={busy || (SEMANTIC_ONLY.has(p.key) && config.idScheme !== 'semantic') || (imported !== null && isSimulationKey(p.key))} onChange={(v) => setKnob(p.key as ConfigKey, v)} />
          ))}
        </details>
      ))}
    </aside>
  );
}
