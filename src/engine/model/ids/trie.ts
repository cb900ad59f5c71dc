/**
 * The prefix trie of valid semantic IDs: every path from the root to a leaf spells the
 * codes of exactly one item, so decoding constrained to it can only generate real items.
 */
import type { SemanticIds } from './rq-kmeans';

export class IdTrie {
  readonly length: number;
  /** Per node: its depth (the root is 0), its parent and the code leading to it. */
  private readonly depth: number[] = [0];
  private readonly parent: number[] = [-1];
  private readonly code: number[] = [-1];
  private readonly kids: Map<number, number>[] = [new Map()];
  /** The item a leaf spells (−1 for inner nodes). */
  private readonly leafItem: number[] = [-1];
  private readonly byDepth: number[][];
  /** Per node, its valid next codes ascending, and its codes from the root (flat, `length` per node). */
  private readonly next: Int32Array[];
  /** Per node, the children those codes lead to (parallel to `next`). */
  private readonly nextNode: Int32Array[];
  private readonly prefixes: Int32Array;
  /** Per depth, the nodes with a choice of next code (two or more), in node order; per node, its index among them (−1 without a choice). */
  private readonly choosingByDepth: number[][];
  private readonly choice: Int32Array;

  constructor(ids: Pick<SemanticIds, 'items' | 'length' | 'codes'>) {
    this.length = ids.length;
    for (let i = 0; i < ids.items; i++) {
      let node = 0;
      for (let t = 0; t < ids.length; t++) {
        const c = ids.codes[i * ids.length + t];
        let next = this.kids[node].get(c);
        if (next === undefined) {
          next = this.depth.length;
          this.depth.push(t + 1); this.parent.push(node); this.code.push(c); this.kids.push(new Map()); this.leafItem.push(-1);
          this.kids[node].set(c, next);
        }
        node = next;
      }
      if (this.leafItem[node] !== -1) throw new Error(`items ${this.leafItem[node]} and ${i} have the same semantic ID`);
      this.leafItem[node] = i;
    }
    this.byDepth = Array.from({ length: this.length + 1 }, () => []);
    for (let v = 0; v < this.depth.length; v++) this.byDepth[this.depth[v]].push(v);
    // Next codes ascending, so that every walk of the trie is deterministic.
    this.next = this.kids.map((m) => Int32Array.from(m.keys()).sort());
    this.nextNode = this.kids.map((m, v) => Int32Array.from(this.next[v], (c) => m.get(c) as number));
    this.choosingByDepth = this.byDepth.map((nodes) => nodes.filter((v) => this.next[v].length > 1));
    this.choice = new Int32Array(this.depth.length).fill(-1);
    for (const nodes of this.choosingByDepth) nodes.forEach((v, i) => (this.choice[v] = i));
    this.prefixes = new Int32Array(this.depth.length * this.length);
    for (let v = 1; v < this.depth.length; v++) {
      this.prefixes.set(this.prefixes.subarray(this.parent[v] * this.length, this.parent[v] * this.length + this.depth[v] - 1), v * this.length);
      this.prefixes[v * this.length + this.depth[v] - 1] = this.code[v];
    }
  }

  get nodes(): number { return this.depth.length; }
  /** The child of `node` by `code`, or −1 where no item continues that way. */
  child(node: number, code: number): number { return this.kids[node].get(code) ?? -1; }
  /** The valid next codes after `node`, ascending (do not modify). */
  codesAfter(node: number): Int32Array { return this.next[node]; }
  /** The children `codesAfter(node)` lead to, in the same order (do not modify). */
  childrenAfter(node: number): Int32Array { return this.nextNode[node]; }
  /** The item of a leaf, −1 for an inner node. */
  item(node: number): number { return this.leafItem[node]; }
  nodesAt(depth: number): readonly number[] { return this.byDepth[depth]; }
  /** The nodes at `depth` with a choice of next code, the ones a model decodes (in node order). */
  choosingAt(depth: number): readonly number[] { return this.choosingByDepth[depth]; }
  /** A node's index in `choosingAt(its depth)`, −1 for a node with one way on or none. */
  choiceIndex(node: number): number { return this.choice[node] ?? -1; }
  /** The codes from the root to `node`. */
  prefix(node: number): Int32Array {
    return this.prefixes.subarray(node * this.length, node * this.length + this.depth[node]);
  }
  /** Writes the codes from the root to `node` into `out` at `at` (no view allocated: beam search calls it per hypothesis). */
  writePrefix(node: number, out: Int32Array, at: number): void {
    for (let p = 0, from = node * this.length, n = this.depth[node]; p < n; p++) out[at + p] = this.prefixes[from + p];
  }
  /** The item that `codes` spell, or −1 if they spell none (too short, or a path no item has). */
  itemOf(codes: ArrayLike<number>): number {
    if (codes.length !== this.length) return -1;
    let node = 0;
    for (let t = 0; t < codes.length && node >= 0; t++) node = this.child(node, codes[t]);
    return node >= 0 ? this.item(node) : -1;
  }
}
