/**
 * The classroom lesson, as data: H1 and H2 in about five minutes. Each step has a title,
 * a few sentences, a question for the class, the world(s) it shows (ids of
 * src/engine/studies/lessons.ts; two make an A/B contrast) and the charts to look at
 * (`highlight` marks the one the step is about). Add, reorder or rewrite steps here.
 *
 * Numbers about a world are never typed: `{world:key}` in a text or question is that
 * world's setting (`{classroom:recTrain}`), or a measure of its stored run (`users`,
 * `searchItems`, `recItems`: the share of items the training data name, `seeds`); a `%`
 * after the name shows a share as a percentage (fill.ts).
 */
import type { LessonEffect } from '../../engine/studies/lessons';
import type { ModelName } from '../../engine/core/report';

export type LessonChart =
  | { kind: 'metrics'; highlight?: boolean }
  /** `against: 'training'`: the model's shares against the task's training-target frequency (a real catalogue has no true popularity). */
  | { kind: 'calibration'; model: ModelName; against?: 'true' | 'training'; highlight?: boolean }
  | { kind: 'embedding'; model: ModelName; colorBy: 'topic' | 'cluster'; highlight?: boolean }
  /** Validation Recall@10 per epoch of Gen_R and Gen_R+S. */
  | { kind: 'validation'; highlight?: boolean };

export interface LessonStep {
  id: string;
  title: string;
  text: string[];
  question: string;
  /** One world, or two (A and B) shown side by side with the same charts. */
  worlds: string[];
  charts: LessonChart[];
  /**
   * The effects the step teaches. Each is shown with its interval over the stored (or live)
   * seeds, and where the interval does not carry it the step says so in words.
   */
  effects: LessonEffect[];
}

export const LESSON_STEPS: readonly LessonStep[] = [
  {
    id: 'models',
    title: 'Two tasks, three models',
    text: [
      'A catalogue of {classroom:items} items. Search maps a query to the item it asks for; recommendation maps a listening history to the next item.',
      'Gen_S learns search, Gen_R learns recommendation, and Gen_R+S learns both in one model. Each item is one token the model must generate: its ID.',
      'Popularity (always the most frequent items) is the floor; the Oracle, which knows how the world was simulated, is the ceiling.',
    ],
    question: 'Recommendation has {classroom:recTrain} training sessions, search {classroom:searchTrain} queries. Which model will recommend best, and why?',
    worlds: ['classroom'],
    charts: [{ kind: 'metrics', highlight: true }],
    effects: [{ claim: 'Gen_R+S recommends better than Gen_R (relative gain in Recall@10)', quantity: { of: 'jointGain', task: 'rec' }, world: 'classroom', expected: 'positive', percent: true }],
  },
  {
    id: 'popularity',
    title: 'What Gen_R learns of popularity from sparse data',
    text: [
      'Each dot is an item: how popular it truly is in recommendation (across) against how often the model predicts it (up), both on log scales.',
      'On the dashed diagonal the model has learned popularity exactly. With only {classroom:recTrain} sessions Gen_R has seen many items rarely or never.',
    ],
    question: 'Which items fall below the diagonal for Gen_R, and does the joint model pull them up?',
    worlds: ['classroom'],
    charts: [{ kind: 'calibration', model: 'rec', highlight: true }, { kind: 'calibration', model: 'joint' }],
    effects: [{ claim: 'Gen_R+S\'s popularity is closer to the truth than Gen_R\'s (its popularity KL minus Gen_R\'s)', quantity: { of: 'klDifference' }, world: 'classroom', expected: 'negative' }],
  },
  {
    id: 'h1',
    title: 'H1: shared against conflicting popularity',
    text: [
      'H1 says joint training regularises the popularity the shared output layer learns: the other task\'s targets smooth an over-confident prior.',
      'World A: search and recommendation agree on what is popular. World B: their popularity rankings are independent. Everything else is the same.',
    ],
    question: 'In which world does adding search help recommendation more? Look at the joint gain and how close the joint model\'s dots sit to the diagonal.',
    worlds: ['h1-shared', 'h1-conflicting'],
    charts: [{ kind: 'calibration', model: 'joint', highlight: true }],
    effects: [{ claim: 'Adding search helps recommendation more when popularity is shared (gain in A − gain in B, paired by seed)', quantity: { of: 'jointGain', task: 'rec' }, world: 'h1-shared', against: 'h1-conflicting', knobs: ['popularityAgreement'], expected: 'positive', percent: true }],
  },
  {
    id: 'h2',
    title: 'H2: aligned against unrelated content and CF',
    text: [
      'H2 says joint training regularises each item\'s embedding: search ties an item to its words, recommendation to the items consumed with it.',
      'World A: an item\'s topic decides its taste cluster. World B: clusters are unrelated to topics. Dots are the joint model\'s items, coloured by CF cluster.',
    ],
    question: 'Where do items of one colour sit together? What does search do to the map when content and taste disagree?',
    worlds: ['h2-aligned', 'h2-unrelated'],
    charts: [{ kind: 'embedding', model: 'joint', colorBy: 'cluster', highlight: true }],
    effects: [
      { claim: 'Gen_R+S\'s items sit with their CF cluster more when content and CF agree (CF agreement in A − in B)', quantity: { of: 'agreement', model: 'joint', kind: 'cf' }, world: 'h2-aligned', against: 'h2-unrelated', knobs: ['contentCfAlignment'], expected: 'positive' },
      { claim: 'Adding search helps recommendation more when content and CF agree (gain in A − gain in B)', quantity: { of: 'jointGain', task: 'rec' }, world: 'h2-aligned', against: 'h2-unrelated', knobs: ['contentCfAlignment'], expected: 'positive', percent: true },
    ],
  },
  {
    id: 'cold',
    title: 'Cold items: what search brings to items recommendation never saw',
    text: [
      'Here recommendation training covers only {cold:recItems%} of the items; search training names {cold:searchItems%} of them. The cold column is Recall@10 on the test targets that recommendation never saw in training.',
      'Gen_R cannot generate an ID it was never trained to produce. The joint model has learned nearly every item\'s ID through search (search training names almost all of them).',
    ],
    question: 'Compare Gen_R and Gen_R+S in the cold column of the recommendation table. Where does the joint gain come from?',
    worlds: ['cold'],
    charts: [{ kind: 'metrics', highlight: true }, { kind: 'calibration', model: 'rec' }, { kind: 'calibration', model: 'joint' }],
    effects: [{ claim: 'Gen_R+S reaches recommendation targets that Gen_R never saw (its cold Recall@10 minus Gen_R\'s)', quantity: { of: 'coldAdvantage' }, world: 'cold', expected: 'positive' }],
  },
  {
    id: 'semantic-ids',
    title: 'IDs that carry meaning: semantic IDs and cold items',
    text: [
      'World A is the cold world again: each item is one token of its own. World B gives each item a short code instead, cut from its words (semantic IDs): each first code belongs to one topic, though a topic may spread over several first codes.',
      'The model now generates an item\'s codes one by one, and a search through the codes keeps only real items. Hover a dot to see its codes.',
    ],
    question: 'Compare Gen_R\'s cold column in A and B. Can Gen_R now reach items it never saw? And does Gen_R+S still gain as much from search?',
    worlds: ['cold', 'cold-semantic'],
    charts: [{ kind: 'metrics', highlight: true }, { kind: 'embedding', model: 'rec', colorBy: 'topic' }],
    effects: [{ claim: 'With semantic IDs Gen_R reaches cold items (Gen_R\'s cold Recall@10 in B − in A)', quantity: { of: 'coldRecall', model: 'rec' }, world: 'cold-semantic', against: 'cold', knobs: ['idScheme'], expected: 'positive' }],
  },
  {
    id: 'search-gains',
    title: 'When search gains too',
    text: [
      'So far search barely moved: with {classroom:searchTrain} queries for {classroom:items} items, Gen_S has seen almost every item. Here search has only {search-gains:searchTrain} queries, and recommendation {search-gains:recTrain} sessions naming {search-gains:recItems%} of the items.',
      'Many items never appear in a training query; recommendation has taught Gen_R+S nearly every item\'s ID. The cold column of the search table is Recall@10 on test queries whose item no training query named.',
    ],
    question: 'Which model searches best now? On which items does the difference come from?',
    worlds: ['search-gains'],
    charts: [{ kind: 'metrics', highlight: true }],
    effects: [
      { claim: 'Gen_R+S searches better than Gen_S (relative gain in Recall@10)', quantity: { of: 'jointGain', task: 'search' }, world: 'search-gains', expected: 'positive', percent: true },
      { claim: 'Gen_R+S finds items that search never saw in training (its cold search Recall@10 minus Gen_S\'s)', quantity: { of: 'coldAdvantage', task: 'search' }, world: 'search-gains', expected: 'positive' },
    ],
  },
  {
    id: 'plentiful',
    title: 'When joint training does not pay: plentiful data',
    text: [
      'Recommendation here has plenty of data: {plentiful:recTrain} sessions, though they still name only {plentiful:recItems%} of the items, as in the classroom world.',
      'The lines are Gen_R\'s and Gen_R+S\'s Recall on held-out recommendation data after every epoch.',
    ],
    question: 'With this much recommendation data, what is left for search to teach Gen_R+S? Look at the cold column and at pop KL.',
    worlds: ['plentiful'],
    charts: [{ kind: 'metrics', highlight: true }, { kind: 'validation' }],
    effects: [
      { claim: 'With plentiful recommendation data, joint training gains less than ±10 % (relative gain, equivalence margin ±10 %)', quantity: { of: 'jointGain', task: 'rec' }, world: 'plentiful', expected: 'none', percent: true, margin: 0.1 },
    ],
  },
  {
    id: 'overtraining',
    title: 'When joint training does not pay: training too long',
    text: [
      'World A trains every one of {overtrained:epochs} epochs and keeps the last. World B is the same world ({overtrained:items} items, {overtrained:recTrain} sessions) with early stopping: each model keeps its best validation epoch (Gen_R+S one per task) and stops once {early-stopped:patience} epochs pass with no better one on any of its tasks. Nothing else differs.',
      'The lines are Gen_R\'s and Gen_R+S\'s Recall on held-out recommendation data after every epoch. Without early stopping, the joint model may keep training on the large search set while it over-fits the small recommendation set: the lines show whether it does.',
    ],
    question: 'Why might a team that trains for a fixed number of epochs conclude that joint training hurts?',
    worlds: ['overtrained', 'early-stopped'],
    charts: [{ kind: 'validation', highlight: true }],
    effects: [
      { claim: 'Trained every epoch without early stopping, Gen_R+S recommends worse than Gen_R (A)', quantity: { of: 'jointGain', task: 'rec' }, world: 'overtrained', expected: 'negative', percent: true },
      { claim: 'Without early stopping the joint gain is lower than with it (gain in A − gain in B, paired by seed)', quantity: { of: 'jointGain', task: 'rec' }, world: 'overtrained', against: 'early-stopped', knobs: ['patience'], expected: 'negative', percent: true },
    ],
  },
  {
    id: 'real-data',
    title: 'On real data: does one task help the other?',
    text: [
      'A real catalogue: {movielens:items} movies, {movielens:users} users\' rating histories (recommendation) and their tags as queries (search). Tags name only {movielens:searchItems%} of the movies, so search also learns each movie\'s own words → its ID (indexing examples, as DSI).',
      'As everywhere in this lab, each model keeps its best validation epoch for each task.',
    ],
    question: 'Which task gains from the other here, and which loses? Look at the head, tail and cold columns: where do the differences come from?',
    worlds: ['movielens'],
    charts: [{ kind: 'metrics', highlight: true }],
    effects: [
      { claim: 'Gen_R+S recommends better than Gen_R (relative gain in Recall@10)', quantity: { of: 'jointGain', task: 'rec' }, world: 'movielens', expected: 'positive', percent: true },
      { claim: 'Gen_R+S searches better than Gen_S (relative gain in Recall@10)', quantity: { of: 'jointGain', task: 'search' }, world: 'movielens', expected: 'positive', percent: true },
    ],
  },
  {
    id: 'real-data-why',
    title: 'On real data: H1 and H2',
    text: [
      'The map: Gen_R+S\'s movies, coloured by their first genre. Below it: each movie\'s share of Gen_R\'s and Gen_R+S\'s recommendations against how often it was a training target.',
    ],
    question: 'Does search flatten or sharpen the popularity Gen_R learned (H1)? Do movies of one genre sit together, and what happens to the movies watched together (H2)?',
    worlds: ['movielens'],
    charts: [{ kind: 'calibration', model: 'rec', against: 'training' }, { kind: 'calibration', model: 'joint', against: 'training' }, { kind: 'embedding', model: 'joint', colorBy: 'topic', highlight: true }],
    effects: [
      { claim: 'H1: Gen_R+S\'s popularity KL to the test targets minus Gen_R\'s', quantity: { of: 'klDifference' }, world: 'movielens', expected: 'negative' },
      { claim: 'H2: genre agreement of neighbours, Gen_R+S minus Gen_R', quantity: { of: 'agreementDifference', kind: 'content' }, world: 'movielens', expected: 'positive' },
      { claim: 'H2: CF agreement of neighbours, Gen_R+S minus Gen_R', quantity: { of: 'agreementDifference', kind: 'cf' }, world: 'movielens', expected: 'positive' },
    ],
  },
  {
    id: 'your-turn',
    title: 'Your turn',
    text: [
      'Open the classroom world in the Lab. Every knob on the left changes the world; Train trains the three models on it in your browser.',
      'Try: move Popularity agreement to 0 (H1), or Content–CF alignment to 0 (H2), or Rec coverage down to 0.2, or set Item IDs to semantic, and compare the joint gain.',
    ],
    question: 'Predict first, then train: which knob will change the joint gain on recommendation the most?',
    worlds: ['classroom'],
    charts: [],
    effects: [],
  },
];
