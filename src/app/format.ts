/** Number formatting shared by the panels. */
export const fmt = (x: number | undefined | null, digits = 3): string => (x === undefined || x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits));
export const pct = (x: number | undefined | null): string => {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  const t = (x * 100).toFixed(1);
  return t === '0.0' || t === '-0.0' ? '0.0 %' : `${x >= 0 ? '+' : ''}${t} %`;
};

/** A colour per label: the Okabe–Ito palette, which people with the common colour-vision
 *  deficiencies tell apart (its yellow darkened to read on white); charts that colour by
 *  topic or cluster also vary the marker shape (SHAPES), so labels beyond eight stay apart. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#B8A200', '#000000'];
export const SHAPES = ['circle', 'triangle', 'square', 'diamond', 'cross', 'star', 'wye'] as const;
/** Colour and shape of label `i`: the shape changes first, so neighbours differ in both. */
export const labelStyle = (i: number) => ({ fill: PALETTE[i % PALETTE.length], shape: SHAPES[(i + Math.floor(i / PALETTE.length)) % SHAPES.length] });
export const MODEL_COLORS = { search: '#1f77b4', rec: '#d62728', joint: '#6a3d9a' } as const;
