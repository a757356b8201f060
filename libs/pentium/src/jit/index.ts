// The block compiler's parts (docs/design/jit.md): the Wasm emitter and the timing model's
// Wasm runtime. Not yet used by the run loop.
export * from './wasm-emitter';
export { TimingRuntime, type TimingExports } from './timing/timing-runtime';
export { packTiming, unpackTiming } from './timing/pipeline-wasm';
