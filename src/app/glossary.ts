/**
 * The words a teacher may not know, each with one or two sentences: the app explains them
 * where they appear (Glossed.tsx: hover, focus or tap a dotted word) and docs/glossary.md
 * holds the same sentences (a test checks it).
 */
export interface GlossaryEntry {
  /** The term as the glossary lists it. */
  term: string;
  /** How it appears in text (first match wins; case-sensitive). */
  forms: string[];
  text: string;
}

export const GLOSSARY: readonly GlossaryEntry[] = [
  { term: 'H1', forms: ['H1'], text: 'The paper\'s first hypothesis: training on both tasks regularises the popularity of each item that the shared output layer learns — the other task\'s targets smooth (or distort) an over-confident popularity prior.' },
  { term: 'H2', forms: ['H2'], text: 'The paper\'s second hypothesis: training on both tasks regularises each item\'s learned representation — search ties an item to its words, recommendation to the items consumed with it, and the joint model\'s item embeddings carry both.' },
  { term: 'Gen_S, Gen_R, Gen_R+S', forms: ['Gen_R+S', 'Gen_S', 'Gen_R'], text: 'The three generative retrievers: Gen_S learns search (query → item ID), Gen_R learns recommendation (history → next item ID), Gen_R+S is one model trained on both.' },
  { term: 'generative retrieval', forms: ['generative retriever', 'generative retrieval'], text: 'Retrieval by generating the identifier of the item (here: one ID token, or a short code) from the input, instead of scoring every item against the query.' },
  { term: 'CF (collaborative filtering)', forms: ['CF'], text: 'Collaborative filtering: what people consume together. A CF cluster is a group of items that appear in the same sessions.' },
  { term: 'popularity KL', forms: ['popularity KL', 'pop KL'], text: 'How far a model\'s predicted popularity (its average share of recommendations per item) is from the true popularity, as a KL divergence: 0 means exactly calibrated, larger is worse.' },
  { term: 'Recall@10', forms: ['Recall@10', 'Recall@K'], text: 'The share of test examples whose correct item is among the model\'s top 10.' },
  { term: 'NDCG@10', forms: ['NDCG@10'], text: 'Like Recall@10, but a hit counts more the higher it is ranked (1 at rank 1, less further down).' },
  { term: 'joint gain', forms: ['joint gain'], text: 'How much better (or worse) Gen_R+S is than the single-task model on a task: the relative change of Recall@10, e.g. +20 % means 0.30 → 0.36.' },
  { term: 'percentage points (pp)', forms: ['percentage points', 'pp'], text: 'The difference between two percentages: a gain of +30 % against one of +20 % differs by 10 percentage points.' },
  { term: 'BM25', forms: ['BM25'], text: 'The classic lexical search score: query words that are rare in the catalogue and frequent in the item\'s text count most. A reference for search, not a generative model.' },
  { term: 'bi-encoder', forms: ['bi-encoder'], text: 'A dense retriever: one tower turns the query (or history) into a vector, another each item into a vector, and items are ranked by how close the vectors are. A reference beside the generative models.' },
  { term: 'semantic ID', forms: ['semantic IDs', 'semantic ID'], text: 'An item identifier made of a few codes cut from the item\'s content (or other vectors), so that similar items share their first codes; the model generates the codes one by one.' },
  { term: 'cold item', forms: ['cold items', 'cold item', 'cold'], text: 'An item a task never saw in its training data: a model trained on that task alone has never been asked to generate its ID.' },
  { term: 'seed', forms: ['seeds', 'seed'], text: 'The number that fixes every random choice of a run (the world, the data, the model\'s starting weights). Several seeds show how much a result varies by chance.' },
  { term: '95 % interval', forms: ['95 % interval', 'interval'], text: 'The range that holds the true mean effect with 95 % confidence, from the spread over seeds. If it excludes 0 the effect is shown; if it includes 0, the data do not show it either way.' },
  { term: 'p-value', forms: ['p-values', 'p-value'], text: 'How often chance alone would give an effect at least this far from 0, if there were none. Below 0.05 exactly when the 95 % interval excludes 0.' },
  { term: 'q-value', forms: ['q-values', 'q-value'], text: 'A p-value corrected for testing many claims at once (Benjamini–Hochberg): calling only the claims with q below 0.05 keeps the expected share of false ones among them at 5 % or less.' },
  { term: 'indexing examples', forms: ['indexing examples'], text: 'Training pairs of an item\'s own words → its ID (as DSI trains generative retrievers), so that every item is tied to its text, not only the items some query names.' },
  { term: 'checkpoint', forms: ['checkpoints', 'checkpoint'], text: 'The model\'s weights saved after an epoch. Each model keeps the epoch that scored best on held-out validation data (per task, for Gen_R+S).' },
];

/** docs/glossary.md, made from the table. */
export function glossaryMarkdown(): string {
  const lines = ['# Glossary', '', 'The words the app and the lesson use, in the sentences the app shows when you hover, focus or tap a dotted word (`src/app/glossary.ts`; a test keeps this file equal to it).', ''];
  for (const e of GLOSSARY) lines.push(`**${e.term}** — ${e.text}`, '');
  return lines.join('\n');
}
