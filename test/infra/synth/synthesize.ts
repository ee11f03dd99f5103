import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platform, root } from '../platform';
import { type AppConfig, buildApp, evaluateApp } from './build';

export interface SynthesizedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface IamStatement {
  Effect: string;
  Action?: string[];
  Resource?: string[];
  Condition?: Record<string, Record<string, string[]>>;
  Principal?: unknown;
}

export interface Synthesis {
  resources: SynthesizedResource[];
  /** What each function asked the CLI to build: its handler, and its links with their properties. */
  builds: {
    functionID: string;
    handler: string;
    links: Record<string, Record<string, unknown>>;
    /** The Lambda runtime and what SST bundles with (nodejs options and the architecture); absent for a live target. */
    runtime?: string;
    properties?: {
      architecture?: string;
      format?: string;
      minify?: boolean;
      esbuild?: { external?: string[] };
    };
    /** Set for a live `sst dev` target rather than a build. */
    dev?: true;
  }[];
  outputs: Record<string, unknown> | null;
  failure: string | null;
  ms: number;
  /** What sst.config.ts's app() answered for the stage and the variables (removal, protect…). */
  app: AppConfig;
}

/**
 * Builds and runs the whole SST app (sst.config.ts and every stack) under Pulumi's mocks: the
 * resources, their inputs and every IAM policy exactly as `sst deploy` would hand them to
 * Pulumi, with no AWS account. The app runs from a scratch root that links the repository's
 * files, with a stand-in web build, so synthesis never writes into the working tree (but for the
 * engine layer, which it builds in .sst/layers as a deploy does).
 */
export async function synthesize(
  options: {
    stage?: string;
    dev?: boolean;
    timeoutMs?: number;
    /** Variables of the deploying shell (CASCADE_AGENT_PROVIDER and the like). */
    env?: Record<string, string>;
  } = {},
): Promise<Synthesis> {
  const stage = options.stage ?? 'ci';
  const dev = options.dev ?? false;
  const env = { ...process.env, ...options.env };
  // The CLI evaluates app() first and gives its answer to run() as `$app`.
  const app = await evaluateApp({ root, platform, stage, env });
  const scratch = mkdtempSync(join(tmpdir(), 'cascade-synth-'));
  const cleanups: (() => void)[] = [];
  try {
    const scratchRoot = join(scratch, 'root');
    mkdirSync(scratchRoot);
    for (const entry of readdirSync(root)) {
      if (entry === 'web' || entry === '.git' || entry === '.sst') continue;
      symlinkSync(join(root, entry), join(scratchRoot, entry));
    }
    // The engine layer is built where a deploy builds it (the repository's .sst/layers, ignored by
    // git) and reused while the pinned DuckDB stays the same.
    mkdirSync(join(root, '.sst/layers'), { recursive: true });
    mkdirSync(join(scratchRoot, '.sst'));
    symlinkSync(join(root, '.sst/layers'), join(scratchRoot, '.sst/layers'));
    // The web client is built by its own package; synthesis only needs a build output to exist.
    mkdirSync(join(scratchRoot, 'web/dist'), { recursive: true });
    writeFileSync(join(scratchRoot, 'web/package.json'), '{ "name": "web", "private": true }\n');
    writeFileSync(join(scratchRoot, 'web/dist/index.html'), '<!doctype html><title>Cascade</title>\n');

    // One build per synthesis: test files synthesizing the same stage with other variables run at once.
    const outfile = join(
      platform,
      'synth',
      `app-${stage}${dev ? '-dev' : ''}-${randomUUID().slice(0, 8)}.mjs`,
    );
    cleanups.push(() => rmSync(outfile, { force: true }));
    await buildApp({
      root,
      platform,
      outfile,
      dev,
      app: { ...app, stage },
      cli: {
        command: dev ? 'dev' : 'deploy',
        dev,
        paths: {
          home: join(scratch, 'home'),
          root: scratchRoot,
          work: join(scratch, 'work'),
          platform,
        },
        state: { version: {} },
      },
    });

    const output = join(scratch, 'synthesis.json');
    const runner = join(import.meta.dirname, 'runner.mjs');
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [runner, outfile, platform, output], {
        env: { ...env, SYNTH_WORK: join(scratch, 'work') },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let text = '';
      child.stderr.on('data', (chunk) => {
        text += chunk;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    let synthesis: Synthesis;
    try {
      synthesis = JSON.parse(readFileSync(output, 'utf8')) as Synthesis;
    } catch {
      throw new Error(`The synthesis produced no result.\n${stderr}`);
    }
    if (synthesis.failure)
      throw new Error(`The SST app failed to synthesize:\n${synthesis.failure}\n${stderr}`);
    return { ...synthesis, app };
  } finally {
    for (const cleanup of cleanups) cleanup();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Convenience queries over a synthesis. */
export function query(synthesis: Synthesis) {
  const ofType = (type: string) => synthesis.resources.filter((r) => r.type === type);
  const named = (type: string, name: string) => {
    const found = ofType(type).find((r) => r.name === name);
    if (!found) throw new Error(`No ${type} named ${name}`);
    return found;
  };
  /** Every inline policy statement of a role, as IAM JSON. */
  const roleStatements = (role: SynthesizedResource): IamStatement[] =>
    ((role.inputs.inlinePolicies as { policy?: string }[] | undefined) ?? []).flatMap((p) =>
      p.policy ? (JSON.parse(p.policy) as { Statement: IamStatement[] }).Statement : [],
    );
  return { ofType, named, roleStatements };
}
