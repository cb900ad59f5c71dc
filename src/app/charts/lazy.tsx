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
      <Suspense fallback={<div className="chart-loading" style={{ minHeight }} aria-busy="true" data-testid="chart-loading" />}>
        <Loaded {...(props as ComponentProps<typeof Loaded>)} />
      </Suspense>
    );
  };
}

export const CalibrationChart = later(() => import('./CalibrationChart').then((m) => m.CalibrationChart), 280);
export const EmbeddingChart = later(() => import('./EmbeddingChart').then((m) => m.EmbeddingChart), 280);
export const LossChart = later(() => import('./LossChart').then((m) => m.LossChart), 200);
export const ValidationChart = later(() => import('../lesson/ValidationChart').then((m) => m.ValidationChart), 260);
