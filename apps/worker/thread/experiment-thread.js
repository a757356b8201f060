'use strict';
/* global require, module, setInterval, clearInterval, performance, AbortController */
// The piscina pool's thread: loads the lab (compiled from dist/, or the
// TypeScript sources through ts-source-hook when the farm itself runs from
// sources under jest) and runs one experiment per task.
//
// Cancellation is cooperative: the parent sets a flag in shared memory; the lab
// calls onProgress between slices of guest execution, where the flag is read and
// the run's AbortController is aborted, so the emulator stops at its next slice
// boundary and returns an 'aborted' RunResult. (A busy thread cannot receive
// messages, so the flag is shared memory, not a message.)
const { workerData } = require('worker_threads');

if (workerData.labModule.endsWith('.ts')) require('./ts-source-hook').install();
const lab = require(workerData.labModule);

/** Answers once this thread has loaded the lab: the pool's warm-up. */
async function ready() {
  return { emulatorVersion: lab.EMULATOR_VERSION };
}

module.exports = async function runCell(task) {
  const flag = new Int32Array(task.abortFlag);
  const controller = new AbortController();
  const check = () => {
    if (!controller.signal.aborted && Atomics.load(flag, 0) !== 0) controller.abort();
  };
  // also while the lab awaits between slices
  const timer = setInterval(check, 50);
  let lastPost = 0;
  try {
    check();
    return await lab.runExperiment(task.spec, {
      signal: controller.signal,
      cycleBudget: task.cycleBudget,
      onProgress: (p) => {
        check();
        const now = performance.now();
        if (now - lastPost >= 100) {
          lastPost = now;
          task.port.postMessage({ cycles: p.cycles, budget: p.budget });
        }
      },
    });
  } finally {
    clearInterval(timer);
    task.port.close();
  }
};
module.exports.ready = ready;
