// Run in a worker thread (see parallel/worker.ts): the second half of a large CSV file, counted and
// then scanned into shared columns.
export { scanJob as work } from './csv-scan';
