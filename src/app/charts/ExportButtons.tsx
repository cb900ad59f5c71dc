/** Save the chart inside a container as SVG or PNG (the SVG drawn onto a canvas). */
import type { RefObject } from 'react';

function download(name: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadText(name: string, text: string, type = 'application/json') {
  download(name, new Blob([text], { type }));
}

function svgText(container: HTMLElement): { text: string; width: number; height: number } | null {
  const svg = container.querySelector('svg.recharts-surface') as SVGSVGElement | null;
  if (!svg) return null;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const { width, height } = svg.getBoundingClientRect();
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('style', 'background:#fff;font-family:system-ui,sans-serif;font-size:11px');
  return { text: new XMLSerializer().serializeToString(clone), width, height };
}

export function ExportButtons({ target, name }: { target: RefObject<HTMLElement | null>; name: string }) {
  const svg = () => {
    const s = target.current && svgText(target.current);
    if (s) download(`${name}.svg`, new Blob([s.text], { type: 'image/svg+xml' }));
  };
  const png = () => {
    const s = target.current && svgText(target.current);
    if (!s) return;
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = s.width * 2;
      canvas.height = s.height * 2;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((b) => b && download(`${name}.png`, b));
    };
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(s.text)}`;
  };
  return (
    <span className="export">
      <button type="button" className="small" onClick={svg} aria-label={`Save ${name} as SVG`}>SVG</button>
      <button type="button" className="small" onClick={png} aria-label={`Save ${name} as PNG`}>PNG</button>
    </span>
  );
}
