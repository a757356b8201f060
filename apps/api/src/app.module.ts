// The API's root module: the farm's REST controllers bound to their
// dependencies (one place, immich-style) plus the dashboard pages.
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DashboardModule } from './dashboard/dashboard.module';
import { FARM_DEPS, type FarmApiDeps } from './farm/farm-deps';
import { FarmErrorFilter } from './farm/http-errors';
import { SweepsController } from './farm/sweeps.controller';
import { RunsController } from './farm/runs.controller';
import { MetricsController } from './farm/metrics.controller';
import { CatalogController } from './farm/catalog.controller';

@Module({})
export class AppModule {
  static register(deps: FarmApiDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [DashboardModule],
      controllers: [SweepsController, RunsController, MetricsController, CatalogController],
      providers: [
        { provide: FARM_DEPS, useValue: deps },
        { provide: APP_FILTER, useClass: FarmErrorFilter },
      ],
    };
  }
}
