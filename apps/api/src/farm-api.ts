// Builds and starts the API process's pieces: database (migrated), queue
// producer, sweep service, Nest app with OpenAPI at /api/docs.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { defaultLab, selectQueueDriver, SweepService, type FarmQueueDriver, type LabPort } from '@mklab/farm';
import { FarmQueries, openFarmDatabase, TypeormFarmStore } from '@mklab/db';
import { AppModule } from './app.module';

export interface FarmApiOptions {
  databaseUrl: string;
  redisUrl?: string;
  queueNamespace?: string;
  cellCeiling?: number;
  retries?: number;
  retryBackoffMs?: number;
  lab?: LabPort;
  /** reuse an open, migrated data source */
  dataSource?: DataSource;
  /** listen here; 0 picks a free port; undefined: do not listen (tests use the http server) */
  port?: number;
  logger?: boolean;
}

export interface RunningFarmApi {
  app: NestExpressApplication;
  queue: FarmQueueDriver;
  sweeps: SweepService;
  dataSource: DataSource;
  /** http://127.0.0.1:port when listening */
  url: string | null;
  close(): Promise<void>;
}

export async function startFarmApi(opts: FarmApiOptions): Promise<RunningFarmApi> {
  const lab = opts.lab ?? defaultLab();
  const ownDb = !opts.dataSource;
  const dataSource = opts.dataSource ?? (await openFarmDatabase({ url: opts.databaseUrl })).dataSource;
  const store = new TypeormFarmStore(dataSource);
  await store.syncCatalogue(lab.listSystems(), lab.listBenches());
  const queue = selectQueueDriver({ redisUrl: opts.redisUrl, databaseUrl: opts.databaseUrl, namespace: opts.queueNamespace, retries: opts.retries, backoffMs: opts.retryBackoffMs });
  const gitSha = (lab as { GIT_SHA?: string | null }).GIT_SHA ?? null;
  const sweeps = new SweepService({ lab, store, queue, gitSha, cellCeiling: opts.cellCeiling });
  const queries = new FarmQueries(dataSource);

  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ lab, queries, sweeps, queue }), {
    logger: opts.logger === false ? false : ['error', 'warn'],
  });
  // No global prefix: the farm's controllers name /api/… themselves and the
  // dashboard's pages (DASHBOARD_ROUTES) live at the root.
  app.useBodyParser('text', { type: ['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'], limit: '1mb' });
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('mklab farm')
      .setDescription('Sweeps of experiments on the emulated 133 MHz Pentium, their runs, metrics and the paper’s reference figures')
      .setVersion(lab.EMULATOR_VERSION)
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc);
  await app.init();
  let url: string | null = null;
  if (opts.port !== undefined) {
    await app.listen(opts.port, '0.0.0.0');
    const addr = app.getHttpServer().address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : opts.port}`;
  }
  return {
    app,
    queue,
    sweeps,
    dataSource,
    url,
    close: async () => {
      await app.close();
      await queue.close();
      if (ownDb) await dataSource.destroy();
    },
  };
}
