/** Turns simulated examples into the model's token sequences (fixed length, padded). */
import { TASKS, type RecExamples, type SearchExamples, type Task } from './data';

/** Special tokens after the words: padding, the two task tokens, and the ID decoder's begin-of-sequence. */
export const SPECIAL = { PAD: 0, TASK_SEARCH: 1, TASK_REC: 2, BOS: 3 } as const;

export { TASKS, type Task };

export interface TokenLayout {
  items: number;
  words: number;
  taskToken: boolean;
  /** Input length: task token (if any) + the longer of query and history. */
  seqLen: number;
}

export function tokenLayout(items: number, words: number, queryLength: number, historyLength: number, taskToken: boolean): TokenLayout {
  return { items, words, taskToken, seqLen: (taskToken ? 1 : 0) + Math.max(queryLength, historyLength) };
}

export interface Encoded {
  readonly task: Task;
  readonly count: number;
  readonly seqLen: number;
  readonly tokens: Int32Array;
  readonly mask: Float32Array;
  readonly target: Int32Array;
}

function encode(task: Task, layout: TokenLayout, count: number, width: number, src: Int32Array, target: Int32Array, offset: number): Encoded {
  const S = layout.seqLen;
  const special = (s: number) => layout.items + layout.words + s;
  const tokens = new Int32Array(count * S).fill(special(SPECIAL.PAD));
  const mask = new Float32Array(count * S);
  const start = layout.taskToken ? 1 : 0;
  for (let e = 0; e < count; e++) {
    if (layout.taskToken) {
      tokens[e * S] = special(task === 'search' ? SPECIAL.TASK_SEARCH : SPECIAL.TASK_REC);
      mask[e * S] = 1;
    }
    for (let j = 0; j < width; j++) {
      // −1 marks a shorter query or history (imported data): padding, masked out.
      if (src[e * width + j] < 0) continue;
      tokens[e * S + start + j] = src[e * width + j] + offset;
      mask[e * S + start + j] = 1;
    }
  }
  return { task, count, seqLen: S, tokens, mask, target };
}

export function encodeSearch(ex: SearchExamples, layout: TokenLayout): Encoded {
  return encode('search', layout, ex.count, ex.queryLength, ex.words, ex.target, layout.items);
}

export function encodeRec(ex: RecExamples, layout: TokenLayout): Encoded {
  return encode('rec', layout, ex.count, ex.historyLength, ex.history, ex.target, 0);
}

/** Batch buffers of a fixed shape: tokens and mask [B × seqLen], target and task [B]. */
export interface BatchBuffers {
  tokens: Int32Array;
  mask: Float32Array;
  target: Int32Array;
  /** 0 = search, 1 = rec. */
  task: Int32Array;
}

export function batchBuffers(batchSize: number, seqLen: number): BatchBuffers {
  return { tokens: new Int32Array(batchSize * seqLen), mask: new Float32Array(batchSize * seqLen), target: new Int32Array(batchSize), task: new Int32Array(batchSize) };
}

/** Copies the rows `refs` (indices into `set`) into the batch, starting at row `at`. */
export function gatherRows(set: Encoded, refs: ArrayLike<number>, b: BatchBuffers, at = 0): void {
  const S = set.seqLen;
  for (let r = 0; r < refs.length; r++) {
    const e = refs[r];
    b.tokens.set(set.tokens.subarray(e * S, (e + 1) * S), (at + r) * S);
    b.mask.set(set.mask.subarray(e * S, (e + 1) * S), (at + r) * S);
    b.target[at + r] = set.target[e];
    b.task[at + r] = set.task === 'search' ? 0 : 1;
  }
}
