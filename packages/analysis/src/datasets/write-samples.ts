// Regenerates packages/analysis/datasets: `npm run datasets -w @cascade/analysis`.
import { fileURLToPath } from 'node:url';
import { writeSamples } from './samples';

const directory = fileURLToPath(new URL('../../datasets', import.meta.url));
const catalog = await writeSamples(directory);
for (const entry of catalog) console.log(`${entry.file}: ${entry.rows} rows × ${entry.columns} columns`);
