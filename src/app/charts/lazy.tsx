/**
 * The charts the first views (the Lab, the Lesson) draw, loaded with the chart library
 * after the first paint: the page shows its words and tables first, and each chart keeps
 * its place until it has drawn.
 */
import { lazy, Suspense, type ComponentProps, type ComponentType } from 'react';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function later<C extends ComponentType<any>>(load: () => Promise<C>, minHeight: number) {
  const Loaded = lazy(() => load().then((c) => ({ default: c })));
  return function LaterChart(props: ComponentProps<C>) {
    return (
      <Suspense fallback={<div className="chart-loading" style={{ minHeight, margin: '0.4rem 0' }} aria-busy="true" data-testid="chart-loading" />}>
        <Loaded {...(props as ComponentProps<typeof Loaded>)} />
      </Suspense>
    );
  };
}

// Each placeholder as tall as its chart (measured at 412 and 1280 px wide), so that nothing moves when it draws.
export const CalibrationChart = later(() => import('./CalibrationChart').then((m) => m.CalibrationChart), 270);
export const EmbeddingChart = later(() => import('./EmbeddingChart').then((m) => m.EmbeddingChart), 267);
export const LossChart = later(() => import('./LossChart').then((m) => m.LossChart), 230);
export const ValidationChart = later(() => import('./ValidationChart').then((m) => m.ValidationChart), 260);
