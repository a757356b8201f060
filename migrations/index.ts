// Every migration, in order. Listed explicitly (not globbed) so the same list
// works from the TypeScript sources (jest) and from dist/.
import { FarmSchema1764300000000 } from './1764300000000-farm-schema';
import { PaperTable2Reference1764300100000 } from './1764300100000-paper-table2-reference';
import { SweepCellsStatusIndex1764300200000 } from './1764300200000-sweep-cells-status-index';

export const FARM_MIGRATIONS = [FarmSchema1764300000000, PaperTable2Reference1764300100000, SweepCellsStatusIndex1764300200000];
