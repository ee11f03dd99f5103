import { installPlatform } from './platform';

/** The infra project's global setup: the SST platform must exist before any infra test runs. */
export default function setup() {
  installPlatform();
}
