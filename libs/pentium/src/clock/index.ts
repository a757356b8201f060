export * from './cycle-clock';
export { EventQueue, type EventHandle } from './event-queue';
export * from './phases';
