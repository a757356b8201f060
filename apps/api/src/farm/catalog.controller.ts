import { Controller, Get, Inject, Param, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FARM_DEPS, type FarmApiDeps } from './farm-deps';
import { notFound } from './http-errors';

@ApiTags('catalog')
@Controller('api')
export class CatalogController {
  constructor(@Inject(FARM_DEPS) private readonly farm: FarmApiDeps) {}

  @Get('catalog/systems')
  @ApiOperation({ summary: 'The lab’s systems (listSystems())' })
  systems() {
    return this.farm.lab.listSystems();
  }

  @Get('catalog/benches')
  @ApiOperation({ summary: 'The lab’s benchmarks with their params and metrics (listBenches())' })
  benches() {
    return this.farm.lab.listBenches();
  }

  @Get('reference/:dataset')
  @ApiOperation({ summary: 'A reference dataset: published figures (e.g. sosp97-table2-getpid), never measured by the farm' })
  async reference(@Param('dataset') dataset: string) {
    const ref = await this.farm.queries.reference(dataset);
    if (!ref) throw notFound('reference dataset', dataset);
    return ref;
  }

  @Get('health')
  @ApiOperation({ summary: 'Database and queue reachability' })
  async health() {
    const [database, queue] = await Promise.all([
      this.farm.queries.ping().catch(() => false),
      this.farm.queue.counts().catch(() => null),
    ]);
    const body = { database, queue: { backend: this.farm.queue.kind, counts: queue }, emulatorVersion: this.farm.lab.EMULATOR_VERSION };
    if (!database || queue === null) throw new ServiceUnavailableException({ statusCode: 503, message: 'database or queue unreachable', ...body });
    return { status: 'ok', ...body };
  }
}
