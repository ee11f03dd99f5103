import { listDatasets } from '@cascade/core';
import { parquetFooterReader } from '@cascade/core/parquet-footer';
import { route } from './route';

/** `datasets.list`: a Parquet dataset is listed with the rows and columns its footer gives. */
export const handler = route('datasets.list', (request, { deps, caller }) =>
  listDatasets({ datasets: deps.datasets.withParquet(parquetFooterReader) }, caller, request.messageId),
);
