import { buildEngineLayer } from '../../scripts/build-engine-layer.mjs';
import { installPlatform } from './platform';

/**
 * The infra project's global setup: the SST platform must exist before any infra test runs, and
 * the engine layer (.sst/layers/engine, which the syntheses archive and engine.test.ts runs) is
 * built once here rather than by test files racing each other on a fresh checkout.
 */
export default function setup() {
  installPlatform();
  buildEngineLayer();
}
