// libs/db: the farm's TypeORM entities, data source and store.
export * from './entities';
export * from './data-source';
export * from './typeorm-farm-store';
export * from './farm-queries';
export * from './scratch-database';
export * from './embedded-postgres';
