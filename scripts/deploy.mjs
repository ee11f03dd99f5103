// `npm run deploy -- STAGE [sst deploy options]`: deploys the stage with SST, then writes
// .cascade/endpoints.<STAGE>.json from the outputs SST leaves in .sst/outputs.json, the same shape
// the local cloud writes to .cascade/endpoints.json, so `npx cascade --endpoints` names either.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The target a stage's SST outputs describe (sst.config.ts returns them), or why they cannot. */
export function endpointsFromOutputs(outputs) {
  const missing = ['websocket', 'region', 'userPool', 'userPoolClient'].filter(
    (key) => typeof outputs?.[key] !== 'string' || outputs[key] === '',
  );
  if (missing.length > 0)
    throw new Error(`SST's outputs lack ${missing.join(', ')}; deploy the stage again to write them.`);
  return {
    region: outputs.region,
    websocketUrl: outputs.websocket,
    userPoolId: outputs.userPool,
    userPoolClientId: outputs.userPoolClient,
    ...(outputs.web && { webUrl: outputs.web }),
    ...(outputs.datasets && { bucket: outputs.datasets }),
    ...(outputs.stateMachine && { stateMachineArn: outputs.stateMachine }),
    ...(outputs.adminFunction && { adminFunction: outputs.adminFunction }),
  };
}

/** Writes .cascade/endpoints.<stage>.json under `directory` from its .sst/outputs.json; returns the file. */
export function writeStageEndpoints(directory, stage) {
  if (!/^[A-Za-z0-9-]+$/.test(stage)) throw new Error(`"${stage}" is not a stage name (letters, digits, -).`);
  const outputs = JSON.parse(readFileSync(join(directory, '.sst/outputs.json'), 'utf8'));
  const file = join(directory, '.cascade', `endpoints.${stage}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(endpointsFromOutputs(outputs), null, 2)}\n`);
  return file;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [stage, ...rest] = process.argv.slice(2);
  if (!stage || stage.startsWith('-')) {
    console.error('Name the stage: npm run deploy -- <stage>');
    process.exit(2);
  }
  const sst = join(root, 'node_modules/.bin/sst');
  const deployed = spawnSync(sst, ['deploy', '--stage', stage, ...rest], { cwd: root, stdio: 'inherit' });
  if (deployed.status !== 0) process.exit(deployed.status ?? 1);
  try {
    const file = writeStageEndpoints(root, stage);
    console.log(`\nThe terminal client's target: npx cascade --endpoints ${file.slice(root.length + 1)} …`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
