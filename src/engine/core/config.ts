/**
 * Every knob of Bridge Lab in one declared list: name, type, range, default and a
 * one-line help text. The runner's `--set`, the app's URL parser, its sliders and
 * report.json all read this list (the key names are stable: docs/report.md).
 */

export type Group = 'catalogue' | 'popularity' | 'contentCf' | 'data' | 'model' | 'training' | 'ablation' | 'run' | 'import';

interface Base<K extends string> {
  key: K;
  group: Group;
  label: string;
  help: string;
}
export interface IntParam<K extends string = string> extends Base<K> {
  type: 'int';
  min: number;
  max: number;
  default: number;
  /** Slider step in the app. */
  step?: number;
}
export interface FloatParam<K extends string = string> extends Base<K> {
  type: 'float';
  min: number;
  max: number;
  default: number;
  step: number;
}
export interface BoolParam<K extends string = string> extends Base<K> {
  type: 'bool';
  default: boolean;
}
export interface EnumParam<K extends string = string> extends Base<K> {
  type: 'enum';
  options: readonly (string | number)[];
  default: string | number;
}
export type Param = IntParam | FloatParam | BoolParam | EnumParam;

export const GROUP_LABELS: Record<Group, string> = {
  catalogue: 'Catalogue',
  popularity: 'Popularity',
  contentCf: 'Content vs CF',
  data: 'Data',
  model: 'Model',
  training: 'Training',
  ablation: 'Ablations (joint model)',
  run: 'Run',
  import: 'Imported data',
};

/** Keys that describe the simulation: refused when training on imported files. */
export function isSimulationKey(key: string): boolean {
  const p = PARAM_BY_KEY[key];
  if (!p) return false;
  if (['catalogue', 'popularity', 'contentCf'].includes(p.group)) return true;
  return (p.group === 'data' && key !== 'queryLength' && key !== 'historyLength') || key === 'popularityRemoved';
}

export const PARAMS = [
  // catalogue
  { key: 'items', group: 'catalogue', type: 'int', min: 20, max: 20000, default: 300, step: 10, label: 'Items', help: 'Number of items in the catalogue; each is one ID token the models must generate.' },
  { key: 'topics', group: 'catalogue', type: 'int', min: 2, max: 64, default: 6, label: 'Content topics', help: 'Content topics; each item belongs to one and queries use its topic words.' },
  { key: 'wordsPerTopic', group: 'catalogue', type: 'int', min: 1, max: 200, default: 10, label: 'Words per topic', help: 'Vocabulary words each topic owns (shared by all items of that topic).' },
  { key: 'titleWordsPerItem', group: 'catalogue', type: 'int', min: 1, max: 8, default: 2, label: 'Title words per item', help: 'Words that belong to one item only, like a title: a query with one names the item.' },
  // content vs CF
  { key: 'cfClusters', group: 'contentCf', type: 'int', min: 2, max: 64, default: 6, label: 'CF clusters', help: 'Collaborative clusters: items consumed together in the same sessions.' },
  { key: 'contentCfAlignment', group: 'contentCf', type: 'float', min: 0, max: 1, step: 0.05, default: 1, label: 'Content–CF alignment', help: 'Chance that an item\'s CF cluster follows its content topic (1 = taste follows content, 0 = unrelated).' },
  // popularity
  { key: 'searchZipf', group: 'popularity', type: 'float', min: 0, max: 2, step: 0.05, default: 1, label: 'Search Zipf exponent', help: 'How skewed search popularity is (0 = uniform).' },
  { key: 'recZipf', group: 'popularity', type: 'float', min: 0, max: 2, step: 0.05, default: 1, label: 'Rec Zipf exponent', help: 'How skewed recommendation popularity is (0 = uniform).' },
  { key: 'popularityAgreement', group: 'popularity', type: 'float', min: 0, max: 1, step: 0.05, default: 1, label: 'Popularity agreement', help: 'How much the search and recommendation popularity rankings agree (1 = same, 0 = independent).' },
  // data
  { key: 'searchTrain', group: 'data', type: 'int', min: 0, max: 200000, default: 4000, step: 500, label: 'Search train examples', help: 'Query → item training pairs.' },
  { key: 'recTrain', group: 'data', type: 'int', min: 0, max: 200000, default: 600, step: 100, label: 'Rec train examples', help: 'History → next item training pairs.' },
  { key: 'searchTest', group: 'data', type: 'int', min: 10, max: 50000, default: 1000, step: 100, label: 'Search test examples', help: 'Held-out queries, drawn from all items.' },
  { key: 'recTest', group: 'data', type: 'int', min: 10, max: 50000, default: 1000, step: 100, label: 'Rec test examples', help: 'Held-out sessions, drawn from all items.' },
  { key: 'queryLength', group: 'data', type: 'int', min: 1, max: 12, default: 3, label: 'Query length', help: 'Words per query.' },
  { key: 'querySpecificity', group: 'data', type: 'float', min: 0, max: 1, step: 0.05, default: 0.35, label: 'Query specificity', help: 'Chance a query word is a title word of the item rather than a word of its topic.' },
  { key: 'queryNoise', group: 'data', type: 'float', min: 0, max: 1, step: 0.05, default: 0.1, label: 'Query noise', help: 'Chance a query word is replaced by a random word.' },
  { key: 'historyLength', group: 'data', type: 'int', min: 1, max: 12, default: 4, label: 'History length', help: 'Previous items in a session given to the recommender.' },
  { key: 'sessionNoise', group: 'data', type: 'float', min: 0, max: 1, step: 0.05, default: 0.1, label: 'Session noise', help: 'Chance a history item is replaced by a random item.' },
  { key: 'searchCoverage', group: 'data', type: 'float', min: 0.05, max: 1, step: 0.05, default: 1, label: 'Search coverage', help: 'Share of items that appear in search training data (the rest are cold for Gen_S).' },
  { key: 'recCoverage', group: 'data', type: 'float', min: 0.05, max: 1, step: 0.05, default: 0.6, label: 'Rec coverage', help: 'Share of items that appear in recommendation training data (the rest are cold for Gen_R).' },
  { key: 'searchCapPerItem', group: 'data', type: 'int', min: 0, max: 100000, default: 0, step: 5, label: 'Search cap per item', help: 'At most this many search training pairs per target item (0 = no cap); a cap flattens popularity.' },
  { key: 'searchCapControl', group: 'data', type: 'bool', default: false, label: 'Cap control: same size, not flatter', help: 'With a search cap: keep a uniform random subset of the uncapped search training pairs, as many as the cap would keep, instead of capping each item. The same amount of data with popularity as it was: the control that tells a flatter popularity from less data.' },
  { key: 'recCapPerItem', group: 'data', type: 'int', min: 0, max: 100000, default: 0, step: 5, label: 'Rec cap per item', help: 'At most this many rec training pairs per target item (0 = no cap).' },
  // model
  { key: 'dim', group: 'model', type: 'int', min: 8, max: 256, default: 32, step: 8, label: 'Embedding size', help: 'Width of the transformer and of the item-ID embeddings.' },
  { key: 'layers', group: 'model', type: 'int', min: 1, max: 4, default: 1, label: 'Encoder layers', help: 'Transformer encoder layers (the ID decoder has one layer).' },
  { key: 'heads', group: 'model', type: 'int', min: 1, max: 8, default: 2, label: 'Attention heads', help: 'Attention heads; must divide the embedding size.' },
  { key: 'tieEmbeddings', group: 'model', type: 'bool', default: true, label: 'Tie ID embeddings', help: 'One item-ID table for the encoder input and the decoder output (as in T5).' },
  { key: 'taskToken', group: 'model', type: 'bool', default: true, label: 'Task token', help: 'Prefix each input with a token naming its task (search or recommend).' },
  { key: 'idScheme', group: 'model', type: 'enum', options: ['atomic', 'semantic'], default: 'atomic', label: 'Item IDs', help: 'atomic: each item is one new vocabulary token; semantic: each item is a short sequence of codes from residual k-means over item vectors, decoded one code at a time (beam search over valid IDs).' },
  { key: 'idSource', group: 'model', type: 'enum', options: ['content', 'cf', 'joint', 'biencoder', 'biencoder-search', 'biencoder-rec'], default: 'content', label: 'Semantic ID source', help: 'Semantic IDs only: the item vectors the codes come from, built from training data: content (the item\'s words), cf (co-occurrence in recommendation training sessions, factorised), joint (both, each normalised, concatenated), or the item tower of a bi-encoder trained on both tasks (biencoder), on search only (biencoder-search) or on recommendation only (biencoder-rec).' },
  { key: 'idLevels', group: 'model', type: 'int', min: 2, max: 4, default: 2, label: 'Semantic ID levels', help: 'Semantic IDs only: codes per item before the final code that tells colliding items apart.' },
  { key: 'idCodebook', group: 'model', type: 'int', min: 4, max: 64, default: 16, step: 4, label: 'Codebook size', help: 'Semantic IDs only: codes per level (k of each residual k-means).' },
  { key: 'idFinalCode', group: 'model', type: 'enum', options: ['frequency', 'index'], default: 'frequency', label: 'Final code order', help: 'Semantic IDs only: how the final code numbers items that share every other code: by training frequency over both tasks (0 = the most frequent item of its group; the default since it measured better for recommendation, docs/findings.md) or by item index (as TIGER; carries nothing).' },
  { key: 'idTokens', group: 'model', type: 'enum', options: ['shared', 'perTask'], default: 'shared', label: 'Code tokens', help: 'Semantic IDs in Gen_R+S: one set of code tokens for both tasks (shared), or one per task (perTask).' },
  // training
  { key: 'epochs', group: 'training', type: 'int', min: 1, max: 200, default: 12, label: 'Epochs', help: 'Passes over the training data.' },
  { key: 'batchSize', group: 'training', type: 'int', min: 8, max: 1024, default: 128, step: 8, label: 'Batch size', help: 'Examples per gradient step.' },
  { key: 'learningRate', group: 'training', type: 'float', min: 0.0001, max: 0.05, step: 0.0001, default: 0.003, label: 'Learning rate', help: 'Adam learning rate.' },
  { key: 'patience', group: 'training', type: 'int', min: 0, max: 50, default: 3, label: 'Early-stopping patience', help: 'Stop after this many epochs without a better validation Recall@K and keep the best epoch\'s weights (0 = train every epoch, keep the last).' },
  { key: 'indexing', group: 'training', type: 'int', min: 0, max: 16, default: 0, label: 'Indexing examples per item', help: 'As DSI trains generative retrievers: this many examples per item of the item\'s own text (1 to queryLength of its words, seeded) → its ID, added to the search training of Gen_S, Gen_R+S and the bi-encoder, so that every item\'s ID is tied to its words, not only the items some training query names (0 = queries only). Validation and test use queries only.' },
  { key: 'jointSelection', group: 'training', type: 'enum', options: ['perTask', 'shared'], default: 'perTask', label: 'Joint checkpoint', help: 'How Gen_R+S (and the multi-task bi-encoder) choose their weights by validation: perTask keeps, for each task, the weights of its best validation epoch on that task (early stopping ends when neither task has improved for patience epochs); shared keeps one checkpoint for both tasks, the best mean of the two (as one deployed model). Every report carries both; this says which one the gains use.' },
  { key: 'jointMixing', group: 'training', type: 'enum', options: ['proportional', 'balanced'], default: 'proportional', label: 'Joint mixing', help: 'How Gen_R+S mixes tasks: proportional (all examples of both, shuffled) or balanced (half of each batch per task, the smaller set resampled).' },
  // ablations: they change only Gen_R+S, to separate the two mechanisms
  { key: 'outputBias', group: 'ablation', type: 'enum', options: ['shared', 'perTask'], default: 'shared', label: 'Output bias', help: 'perTask gives each task its own item prior (output bias) in Gen_R+S: the shared popularity channel is cut, what remains is H2.' },
  { key: 'itemEmbeddings', group: 'ablation', type: 'enum', options: ['shared', 'perTask'], default: 'shared', label: 'Item embeddings', help: 'perTask gives each task its own item-ID embeddings in Gen_R+S: the shared representation is cut, what remains is H1.' },
  { key: 'popularityRemoved', group: 'ablation', type: 'enum', options: ['none', 'search', 'rec'], default: 'none', label: 'Popularity removed', help: 'Gen_R+S trains on this task with its targets drawn uniformly over the covered items: the added task carries no popularity.' },
  { key: 'biencoder', group: 'model', type: 'bool', default: true, label: 'Bi-encoder reference', help: 'Also train the bi-encoder reference (a dense two-tower retriever on both tasks, the same encoder and budget as the models) and rank by nearest neighbour: about one more model\'s training time.' },
  // run
  { key: 'seed', group: 'run', type: 'int', min: 1, max: 2147483647, default: 1, label: 'Seed', help: 'One seed gives one world and one run.' },
  { key: 'initSeed', group: 'run', type: 'int', min: 0, max: 2147483647, default: 0, label: 'Model seed', help: 'Seeds the models\' initial weights and batch order (0 = the world\'s seed): vary it with the world fixed to see how much of a result is the initialisation.' },
  { key: 'k', group: 'run', type: 'enum', options: [10, 1, 30], default: 10, label: 'Cutoff K', help: 'Recall@K and NDCG@K cutoff.' },
  { key: 'vocabSize', group: 'import', type: 'int', min: 10, max: 1000000, default: 5000, label: 'Vocabulary size', help: 'Imported data: the most frequent words of item texts and training queries kept (the rest become the unknown word).' },
  { key: 'dataRecUsers', group: 'import', type: 'float', min: 0.05, max: 1, step: 0.05, default: 1, label: 'Users trained on', help: 'Imported data: the share of sessions (users) whose recommendation training examples are kept, drawn per seed; validation and test keep every user. For studies of recommendation data scale on a real catalogue.' },
  { key: 'dataSearchQueries', group: 'import', type: 'float', min: 0.05, max: 1, step: 0.05, default: 1, label: 'Training queries kept', help: 'Imported data: the share of training queries kept, drawn per seed; validation and test keep every query. For studies of search data scale on a real catalogue.' },
  { key: 'dataSearchItems', group: 'import', type: 'float', min: 0.05, max: 1, step: 0.05, default: 1, label: 'Items with training queries', help: 'Imported data: the share of items (drawn per seed) whose training queries are kept; the others are cold for search (indexing examples still name them). Search coverage on a real catalogue.' },
  { key: 'projection', group: 'run', type: 'enum', options: ['pca', 'umap'], default: 'pca', label: 'Embedding projection', help: 'How the item embeddings are drawn in 2-D: PCA (linear, fast) or UMAP (keeps neighbourhoods; seeded).' },
] as const satisfies readonly Param[];

type ParamList = typeof PARAMS;
export type ConfigKey = ParamList[number]['key'];
type ValueOf<P> = P extends { type: 'bool' } ? boolean
  : P extends { type: 'enum'; options: readonly (infer O)[] } ? O
  : number;
export type Config = { [P in ParamList[number] as P['key']]: ValueOf<P> };

/** Keyed lookup with no prototype: `constructor` or `toString` is an unknown key like any other. */
export const PARAM_BY_KEY: Record<string, Param> = Object.assign(Object.create(null) as Record<string, Param>, Object.fromEntries(PARAMS.map((p) => [p.key, p as Param])));
export const CONFIG_KEYS = PARAMS.map((p) => p.key) as ConfigKey[];

/** Knobs that subsample an imported catalogue's training data: they mean nothing for a simulated world. */
export const IMPORT_ONLY_KEYS = ['dataRecUsers', 'dataSearchQueries', 'dataSearchItems'] as const satisfies readonly ConfigKey[];

/** The ablation knobs: they change only Gen_R+S. */
export const ABLATION_KEYS = ['outputBias', 'itemEmbeddings', 'popularityRemoved'] as const satisfies readonly ConfigKey[];

/** The config with every ablation switched off, or null if none was on. */
/** Whether items are semantic IDs (several code tokens, generated code by code under a trie) rather than one token each:
 *  the one place outside the heads that reads the scheme (model/heads/index.ts builds the head it names). */
export function semanticIds(c: Pick<Config, 'idScheme'>): boolean {
  return c.idScheme === 'semantic';
}

export function withoutAblations(c: Config): Config | null {
  const d = defaultConfig();
  if (ABLATION_KEYS.every((k) => c[k] === d[k])) return null;
  return { ...c, outputBias: d.outputBias, itemEmbeddings: d.itemEmbeddings, popularityRemoved: d.popularityRemoved };
}

export function defaultConfig(): Config {
  return Object.fromEntries(PARAMS.map((p) => [p.key, p.default])) as unknown as Config;
}

/** An input that names a bad key or value; the message says what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Human text of what a parameter accepts, e.g. "an integer from 20 to 5000". */
export function describeRange(p: Param): string {
  switch (p.type) {
    case 'int':
      return `an integer from ${p.min} to ${p.max}`;
    case 'float':
      return `a number from ${p.min} to ${p.max}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${p.options.join(', ')}`;
  }
}

export function unknownKeyMessage(key: string): string {
  return `unknown key "${key}"; known keys: ${CONFIG_KEYS.join(', ')}`;
}

/** Parses one value given as text (URL, command line). Throws ConfigError. */
export function parseValue(key: string, text: string): Config[ConfigKey] {
  const p = PARAM_BY_KEY[key];
  if (!p) throw new ConfigError(unknownKeyMessage(key));
  const bad = () => new ConfigError(`${key}=${JSON.stringify(text)} is not allowed: ${key} must be ${describeRange(p)}`);
  const t = text.trim();
  switch (p.type) {
    case 'int': {
      if (!/^[+-]?\d+$/.test(t)) throw bad();
      const v = Number(t);
      if (v < p.min || v > p.max) throw bad();
      return v;
    }
    case 'float': {
      if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) throw bad();
      const v = Number(t);
      if (!Number.isFinite(v) || v < p.min || v > p.max) throw bad();
      return v;
    }
    case 'bool':
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw bad();
    case 'enum': {
      const hit = p.options.find((o) => String(o) === t);
      if (hit === undefined) throw bad();
      return hit as Config[ConfigKey];
    }
  }
}

/** Checks one already-typed value (from JSON, a preset or the UI). Returns a message or null. */
export function checkValue(key: string, value: unknown): string | null {
  const p = PARAM_BY_KEY[key];
  if (!p) return unknownKeyMessage(key);
  const bad = `${key}=${JSON.stringify(value)} is not allowed: ${key} must be ${describeRange(p)}`;
  switch (p.type) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= p.min && value <= p.max ? null : bad;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) && value >= p.min && value <= p.max ? null : bad;
    case 'bool':
      return typeof value === 'boolean' ? null : bad;
    case 'enum':
      return p.options.includes(value as never) ? null : bad;
  }
}

/** Largest vocabulary (words + item IDs): the token table, its gradient and two Adam moments must fit a browser tab at dim 256. */
export const MAX_VOCABULARY = 100000;

/**
 * Problems that make a world or model impossible even though every value is in range.
 * Empty when the config can be built.
 */
export function worldProblems(c: Config): string[] {
  const out: string[] = [];
  if (c.topics > c.items) out.push(`topics=${c.topics} exceeds items=${c.items}: every topic needs at least one item`);
  if (c.cfClusters > c.items) out.push(`cfClusters=${c.cfClusters} exceeds items=${c.items}: every CF cluster needs at least one item`);
  const words = c.topics * c.wordsPerTopic + c.items * c.titleWordsPerItem;
  if (words + c.items > MAX_VOCABULARY)
    out.push(`the vocabulary would hold ${words + c.items} tokens (items × titleWordsPerItem + topics × wordsPerTopic + items), more than the ${MAX_VOCABULARY} that fit; lower items, titleWordsPerItem or wordsPerTopic`);
  if (c.dim % c.heads !== 0) out.push(`heads=${c.heads} must divide dim=${c.dim}`);
  if (Math.round(c.searchCoverage * c.items) < 1) out.push(`searchCoverage=${c.searchCoverage} covers no item of ${c.items}`);
  if (Math.round(c.recCoverage * c.items) < 1) out.push(`recCoverage=${c.recCoverage} covers no item of ${c.items}`);
  if (c.searchTrain === 0 && c.recTrain === 0) out.push('searchTrain and recTrain are both 0: there is nothing to train on');
  if (c.searchTrain === 0) out.push('searchTrain=0: Gen_S and Gen_R+S need search training data');
  if (c.recTrain === 0) out.push('recTrain=0: Gen_R and Gen_R+S need recommendation training data');
  if (c.idScheme === 'semantic' && c.itemEmbeddings === 'perTask')
    out.push('itemEmbeddings=perTask works with atomic IDs only; with idScheme=semantic use idTokens=perTask (each task its own code tokens)');
  return out;
}

/** Builds a full config from partial typed values; throws ConfigError listing every problem. */
export function resolveConfig(partial: Partial<Record<string, unknown>>): Config {
  const cfg = defaultConfig() as unknown as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, value] of Object.entries(partial)) {
    const msg = checkValue(key, value);
    if (msg) problems.push(msg);
    else cfg[key] = value;
  }
  if (problems.length === 0) problems.push(...worldProblems(cfg as unknown as Config));
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return cfg as unknown as Config;
}

/** What a report's config says of the imported catalogue it was trained on (`config.data`; absent for a simulated world). */
/** What a report says of the imported catalogue it was trained on (engine/data/seed-data.ts importedReportConfig). */
export interface ImportedDataInfo { name: string; categories?: string[]; counts?: { items: number; sessions: number; queries: number } }

/** The imported catalogue a config was trained on, or null for a simulated world. */
export function importedDataOf(c: object | null | undefined): ImportedDataInfo | null {
  const d = (c as { data?: unknown } | null | undefined)?.data;
  return typeof d === 'object' && d !== null && typeof (d as ImportedDataInfo).name === 'string' ? (d as ImportedDataInfo) : null;
}

/**
 * A results file's config as the settings panel's: every knob the file gives in range, the
 * default for each it lacks (a run on imported data has no simulation keys; an older file
 * lacks newer knobs), and `data` kept, so the page knows the run was on imported data.
 */
export function knobsFromReport(c: Record<string, unknown>): Config {
  const out = defaultConfig() as unknown as Record<string, unknown>;
  for (const p of PARAMS) if (p.key in c && checkValue(p.key, c[p.key]) === null) out[p.key] = c[p.key];
  if (importedDataOf(c)) out.data = c.data;
  return out as unknown as Config;
}

/**
 * Where imported catalogues train differently from simulated worlds by default: their search
 * logs name few of the items (MovieLens's tag queries name 28 %), so indexing examples tie
 * every item's ID to its words (docs/models.md, "Indexing examples"). A value given by the
 * user (--set, or a knob moved from its default in the page) is kept.
 */
export const IMPORTED_DEFAULTS = { indexing: 8 } as const satisfies Partial<Config>;

/** A config for imported data: IMPORTED_DEFAULTS for each of its keys the user did not give. */
export function withImportedDefaults(cfg: Config, given: (key: ConfigKey) => boolean): Config {
  const out = { ...cfg } as Record<string, unknown>;
  for (const [k, v] of Object.entries(IMPORTED_DEFAULTS)) if (!given(k as ConfigKey)) out[k] = v;
  return out as unknown as Config;
}
