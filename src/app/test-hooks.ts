/** Hooks the browser tests call (window.__bridgeLab): simulate a lost WebGPU device in the
 *  worker, read the last report, check the fused kernels on this browser's WebGPU, and
 *  train the lesson's worlds live at a tiny size. */
import { shrinkLessonWorlds, useLab } from './store';
import { checkKernels, send } from './worker-client';

export function installTestHooks(): void {
  (window as unknown as { __bridgeLab: unknown }).__bridgeLab = {
    loseDevice: () => send({ type: 'loseDevice' }),
    report: () => useLab.getState().report,
    shrinkLessonWorlds,
    checkKernels,
  };
}
