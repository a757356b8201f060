export * from './io-bus';
export * from './console';
export * from './pic';
export * from './pit';
export * from './ide-config';
export * from './ide';
export * from './disk-image';
