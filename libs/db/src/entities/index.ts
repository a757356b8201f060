import { EmulatorBuildEntity } from './emulator-build.entity';
import { SystemEntity } from './system.entity';
import { BenchmarkEntity } from './benchmark.entity';
import { SweepEntity } from './sweep.entity';
import { SweepCellEntity } from './sweep-cell.entity';
import { RunEntity } from './run.entity';
import { MetricEntity } from './metric.entity';
import { SampleEntity } from './sample.entity';
import { ReferenceDatasetEntity } from './reference-dataset.entity';
import { ReferenceValueEntity } from './reference-value.entity';

export {
  EmulatorBuildEntity,
  SystemEntity,
  BenchmarkEntity,
  SweepEntity,
  SweepCellEntity,
  RunEntity,
  MetricEntity,
  SampleEntity,
  ReferenceDatasetEntity,
  ReferenceValueEntity,
};

export const FARM_ENTITIES = [
  EmulatorBuildEntity,
  SystemEntity,
  BenchmarkEntity,
  SweepEntity,
  SweepCellEntity,
  RunEntity,
  MetricEntity,
  SampleEntity,
  ReferenceDatasetEntity,
  ReferenceValueEntity,
];
