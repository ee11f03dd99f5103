// Regenerates packages/analysis/datasets: `npm run datasets -w @cascade/analysis`.
import { samplesDirectory } from './directory';
import { writeSamples } from './samples';

const catalog = await writeSamples(samplesDirectory);
for (const entry of catalog) console.log(`${entry.file}: ${entry.rows} rows × ${entry.columns} columns`);
