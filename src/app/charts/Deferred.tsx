/**
 * A chart drawn when it is about to be seen: at once where it sits in (or near) the
 * viewport, otherwise when it scrolls near it. The Lab's first view then paints and answers
 * before the charts below it draw their hundreds of points (docs/measured.md, "The page").
 * The placeholder keeps the chart's place, so nothing moves when it draws.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';

export function Deferred({ children, minHeight = 270 }: { children: ReactNode; minHeight?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    if (shown || !ref.current) return;
    const io = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) setShown(true); }, { rootMargin: '200px' });
    io.observe(ref.current);
    return () => io.disconnect();
  }, [shown]);
  return shown ? <>{children}</> : <div ref={ref} className="chart-deferred" style={{ minHeight, margin: '0.4rem 0' }} aria-busy="true" data-testid="chart-deferred" />;
}
