import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';

/**
 * The dashboard pages (`/`, `/sweeps/:id`, `/views/getpid`, `/views/fig6`, `/runs/:id`) and their
 * assets (`/assets/...`, chart.js from node_modules). Import it into the API's
 * AppModule. The routes are outside `/api`: if the app sets a global prefix, exclude
 * DASHBOARD_ROUTES from it (`app.setGlobalPrefix('api', { exclude: DASHBOARD_ROUTES })`).
 */
@Module({ controllers: [DashboardController] })
export class DashboardModule {}

export const DASHBOARD_ROUTES: string[] = [
  '/',
  'sweeps/{:id}',
  'views/getpid',
  'views/fig6',
  'runs/{:id}',
  'assets/{*path}',
];
