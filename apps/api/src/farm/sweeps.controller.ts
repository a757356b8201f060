import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FARM_DEPS, type FarmApiDeps } from './farm-deps';
import { isUuid, notFound } from './http-errors';
import { optionalInt } from './query-params';

const SWEEP_SPEC_SCHEMA = {
  type: 'object',
  required: ['name', 'systems', 'benches'],
  properties: {
    name: { type: 'string' },
    priority: { type: 'integer', minimum: 0, maximum: 100, default: 50, description: 'higher runs first' },
    systems: { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string', enum: ['all'] }] },
    benches: { type: 'array', items: { type: 'string' } },
    params: { type: 'object', additionalProperties: true, description: 'value or list of values per param (a list is an axis)' },
    seeds: { type: 'array', items: { type: 'integer' } },
    repeats: { type: 'integer', minimum: 1, description: 'seeds 1..repeats' },
    maxCells: { type: 'integer', minimum: 1 },
    cycleBudget: { type: 'integer', minimum: 1 },
  },
  example: { name: 'getpid everywhere', systems: 'all', benches: ['getpid'], params: { iterations: 10000 }, repeats: 3 },
};

@ApiTags('sweeps')
@Controller('api/sweeps')
export class SweepsController {
  constructor(@Inject(FARM_DEPS) private readonly farm: FarmApiDeps) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Submit a sweep (JSON, or YAML with content-type text/yaml | application/yaml)' })
  @ApiConsumes('application/json', 'text/yaml', 'application/yaml')
  @ApiBody({ schema: SWEEP_SPEC_SCHEMA })
  async submit(@Body() body: unknown) {
    return this.farm.sweeps.submit(body);
  }

  @Get()
  @ApiOperation({ summary: 'Sweeps, newest first' })
  async list(@Query('limit') limit?: string, @Query('offset') offset?: string) {
    return this.farm.queries.listSweeps(optionalInt('limit', limit, 1, 1000) ?? 100, optionalInt('offset', offset, 0, 1e9) ?? 0);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A sweep with its cells' })
  async get(@Param('id') id: string) {
    const sweep = isUuid(id) ? await this.farm.queries.getSweep(id) : null;
    if (!sweep) throw notFound('sweep', id);
    return sweep;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a sweep: queued cells are removed, running cells aborted' })
  async cancel(@Param('id') id: string) {
    if (!isUuid(id) || !(await this.farm.sweeps.cancel(id))) throw notFound('sweep', id);
    return this.farm.queries.getSweep(id);
  }
}
