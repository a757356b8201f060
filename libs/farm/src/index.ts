// libs/farm: the benchmark farm's domain (no Nest, no TypeORM).
export * from './lab/lab-port';
export * from './lab/default-lab';
export * from './sweep/sweep-spec';
export * from './sweep/sweep-plan';
export * from './jobs/job-id';
export * from './jobs/job-names';
export * from './jobs/job-registry';
export * from './results/statistics';
export * from './results/run-record';
export * from './queue/queue-driver';
export * from './queue/bullmq-queue-driver';
export * from './queue/select-queue-driver';
export * from './services/farm-store';
export * from './services/sweep.service';
export * from './services/cell-execution';
export * from './farm-config';
