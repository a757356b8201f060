export * from './io-bus';
export * from './console';
export * from './pic';
export * from './pit';
