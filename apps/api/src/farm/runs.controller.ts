import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { FARM_DEPS, type FarmApiDeps } from './farm-deps';
import { isUuid, notFound } from './http-errors';
import { optionalInt, optionalString, optionalUuid } from './query-params';

@ApiTags('runs')
@Controller('api/runs')
export class RunsController {
  constructor(@Inject(FARM_DEPS) private readonly farm: FarmApiDeps) {}

  @Get()
  @ApiOperation({ summary: 'Stored runs, newest first' })
  @ApiQuery({ name: 'sweep', required: false })
  @ApiQuery({ name: 'system', required: false })
  @ApiQuery({ name: 'bench', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ['ok', 'error'] })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'offset', required: false })
  async list(@Query() q: Record<string, unknown>) {
    return this.farm.queries.listRuns({
      sweep: optionalUuid('sweep', q.sweep),
      system: optionalString('system', q.system),
      bench: optionalString('bench', q.bench),
      status: optionalString('status', q.status, ['ok', 'error']),
      limit: optionalInt('limit', q.limit, 1, 1000),
      offset: optionalInt('offset', q.offset, 0, 1e9),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A run with its metrics, samples, counters, output and provenance' })
  async get(@Param('id') id: string) {
    const run = isUuid(id) ? await this.farm.queries.getRun(id) : null;
    if (!run) throw notFound('run', id);
    return run;
  }
}
