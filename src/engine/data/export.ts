/**
 * A simulated world written in the import format (docs/runner.md: "Your own data"), so a
 * researcher can check the import path, or another tool, on data whose answer is known.
 * Word w is the token `w<w>`, item i is `i<i>`, its category its content topic; every
 * query and session row carries its `split`, and each session is one example (its last
 * item the target), so importing the files trains on the same examples.
 */
import Papa from 'papaparse';
import type { Config } from '../core/config';
import { buildDataset, type RecExamples, type SearchExamples } from '../sim/examples';
import { buildWorld, itemWords } from '../sim/world';
import type { DataFiles } from './import';

const word = (w: number) => `w${w}`;
const item = (i: number) => `i${i}`;

export function exportWorld(cfg: Config): DataFiles {
  const w = buildWorld(cfg);
  const d = buildDataset(w, cfg);
  const items = Array.from({ length: w.items }, (_, i) => [item(i), itemWords(w, i).map(word).join(' '), `topic${w.topic[i]}`]);
  const queries: string[][] = [];
  const sessions: string[][] = [];
  const addQueries = (ex: SearchExamples, split: string) => {
    for (let e = 0; e < ex.count; e++) {
      const words = Array.from(ex.words.subarray(e * ex.queryLength, (e + 1) * ex.queryLength)).filter((x) => x >= 0).map(word);
      queries.push([words.join(' '), item(ex.target[e]), split]);
    }
  };
  const addSessions = (ex: RecExamples, split: string) => {
    for (let e = 0; e < ex.count; e++) {
      const id = `${split}-${e}`;
      for (const h of ex.history.subarray(e * ex.historyLength, (e + 1) * ex.historyLength)) if (h >= 0) sessions.push([id, item(h), split]);
      sessions.push([id, item(ex.target[e]), split]);
    }
  };
  addQueries(d.searchTrain, 'train'); addQueries(d.searchVal, 'val'); addQueries(d.searchTest, 'test');
  addSessions(d.recTrain, 'train'); addSessions(d.recVal, 'val'); addSessions(d.recTest, 'test');
  const csv = (fields: string[], data: string[][]) => Papa.unparse({ fields, data }, { newline: '\n' }) + '\n';
  return {
    items: csv(['item_id', 'text', 'category'], items),
    queries: csv(['query', 'item_id', 'split'], queries),
    sessions: csv(['session_id', 'item_id', 'split'], sessions),
  };
}
