// The P54C timing model (the lib's index.ts re-exports this).
export * from './timing-info';
export * from './p54c-config';
export * from './counters';
export * from './l1-cache';
export * from './l2-cache';
export * from './memory-hierarchy';
export * from './tlb';
export * from './btb';
export * from './pairing';
export * from './pipeline';
export * from './path-profile';
export * from './timing-model';
export * from './timing-trace';
