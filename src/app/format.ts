/** Number formatting shared by the panels. */
export const fmt = (x: number | undefined | null, digits = 3): string => (x === undefined || x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits));
export const pct = (x: number | undefined | null): string => (x === undefined || x === null || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`);

/** A colour per label, readable on white; cycles beyond its length. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd'];
export const MODEL_COLORS = { search: '#1f77b4', rec: '#d62728', joint: '#6a3d9a' } as const;
