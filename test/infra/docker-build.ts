import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, join, normalize, posix } from 'node:path';
import dockerignore from '@balena/dockerignore';
import {
  type Copy,
  DockerfileParser,
  type Env,
  type From,
  type Instruction,
  type JSONInstruction,
} from 'dockerfile-ast';

/**
 * A Docker build without Docker: the build context laid out as BuildKit sends it, and a
 * Dockerfile's COPY and RUN steps run on this machine, each stage in a directory of its own that
 * stands for the stage's WORKDIR. What the base image would provide comes from this machine (the
 * caller puts its stand-ins, such as the base image's npm, first on the RUN shell's PATH).
 * Instructions it cannot stand in for are refused, so a Dockerfile that outgrows it fails here
 * rather than passing untested.
 */

// ---------------------------------------------------------------------------------------------
// The context: dockerignore rules as BuildKit applies them.

interface IgnoreRules {
  excludes: (path: string) => boolean;
  /** Whether an exception (`!pattern`) could let through something below the excluded directory. */
  exceptionBelow: (directory: string) => boolean;
}

/**
 * The rules of a .dockerignore file. @balena/dockerignore ports Docker's own matcher (Go's
 * filepath.Match with `**`, `!` exceptions, a leading `/` dropped, the last matching rule wins,
 * a rule matching a directory matching all below it); case-sensitive, as Docker is on Linux.
 */
function ignoreRules(text: string): IgnoreRules {
  const matcher = dockerignore({ ignorecase: false }).add(text);
  const exceptions = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('!'))
    .map((line) => posix.normalize(line.slice(1).trim()).replace(/^\/(?=.)/, ''));
  const segmentMatches = (pattern: string, name: string) =>
    dockerignore({ ignorecase: false }).add(pattern).ignores(name);
  return {
    excludes: (path) => matcher.ignores(path),
    // As BuildKit's walker decides whether to enter an excluded directory: an exception with
    // `**` might match anywhere; any other must be deeper than the directory and match its path.
    exceptionBelow: (directory) => {
      const parts = directory.split('/');
      return exceptions.some((exception) => {
        if (exception.includes('**')) return true;
        const segments = exception.split('/');
        return segments.length > parts.length && parts.every((part, i) => segmentMatches(segments[i]!, part));
      });
    },
  };
}

/**
 * Copies `root` into `destination` as the build context BuildKit would send with these ignore
 * rules; returns the files (and symbolic links) it copied, relative to the root. An excluded
 * directory is not even read unless an exception could let something below it through.
 */
export function layOutContext(root: string, ignoreText: string, destination: string): string[] {
  const rules = ignoreRules(ignoreText);
  const copied: string[] = [];
  const visit = (relativeDirectory: string) => {
    for (const entry of readdirSync(join(root, relativeDirectory), { withFileTypes: true })) {
      const path = relativeDirectory ? `${relativeDirectory}/${entry.name}` : entry.name;
      const excluded = rules.excludes(path);
      if (entry.isDirectory()) {
        if (!excluded) mkdirSync(join(destination, path), { recursive: true });
        if (!excluded || rules.exceptionBelow(path)) visit(path);
        continue;
      }
      if (excluded) continue;
      const target = join(destination, path);
      mkdirSync(dirname(target), { recursive: true });
      if (entry.isSymbolicLink()) symlinkSync(readlinkSync(join(root, path)), target);
      else cpSync(join(root, path), target);
      copied.push(path);
    }
  };
  mkdirSync(destination, { recursive: true });
  visit('');
  return copied;
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile, read by dockerfile-ast (the parser of VS Code's Dockerfile language server).

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** A Dockerfile's stages, each with the instructions after its FROM. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = instruction as From;
      const name = from.getBuildStage();
      stages.push({ from: from.getImage() ?? '', ...(name && { name }), instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Line ${lineOf(instruction)}: ${instruction.getKeyword()} before FROM`);
    stage.instructions.push(instruction);
  }
  return stages;
}

const lineOf = (instruction: Instruction) => instruction.getRange().start.line + 1;

/** An instruction's exec form (a JSON array of strings), if it is written so. */
const execForm = (instruction: Instruction) =>
  (instruction as JSONInstruction).getJSONStrings().map((argument) => argument.getJSONValue());

export interface BuildOptions {
  /** The build context's source: the repository root. */
  root: string;
  /** The Dockerfile, relative to the root; its ignore file is `<dockerfile>.dockerignore`, else the root's `.dockerignore`. */
  dockerfile: string;
  /** An empty directory for the context and the stages. */
  work: string;
  /** The RUN shell's environment, before the stage's ENV (PATH with the base image's stand-ins). */
  runEnv: NodeJS.ProcessEnv;
  /** Each RUN's output, as it ends. */
  log?: (text: string) => void;
}

export interface BuiltImage {
  /** The final stage's base image. */
  from: string;
  /** The directory standing for the final stage's WORKDIR. */
  directory: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd: string[];
  /** The files of the build context, relative to it. */
  context: string[];
}

function run(
  command: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** COPY's destination: a directory when it ends in `/` (or is `.`), or when there are several sources. */
function copy(sources: string[], destination: string, intoDirectory: boolean) {
  for (const source of sources) {
    if (lstatSync(source).isDirectory()) {
      cpSync(source, destination, { recursive: true, verbatimSymlinks: true });
      continue;
    }
    const target = intoDirectory ? join(destination, basename(source)) : destination;
    mkdirSync(dirname(target), { recursive: true });
    cpSync(source, target, { verbatimSymlinks: true });
  }
}

/** Runs the Dockerfile's stages in order; returns the final stage. */
export async function buildDockerfile(options: BuildOptions): Promise<BuiltImage> {
  const { root, dockerfile, work } = options;
  const specific = join(root, `${dockerfile}.dockerignore`);
  const ignoreFile = existsSync(specific) ? specific : join(root, '.dockerignore');
  const context = join(work, 'context');
  const files = layOutContext(root, existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '', context);

  const stages = parseDockerfile(readFileSync(join(root, dockerfile), 'utf8'));
  const built = new Map<string, { directory: string; workdir: string }>();
  let image: BuiltImage | undefined;
  for (const [index, stage] of stages.entries()) {
    if (built.has(stage.from))
      throw new Error(`FROM ${stage.from}: a stage built on another is not stood in for`);
    const directory = join(work, `stage-${index}`);
    mkdirSync(directory);
    let workdir: string | undefined;
    const env: Record<string, string> = {};
    let user: string | undefined;
    let cmd: string[] = [];
    /** A path in the stage's filesystem: only its WORKDIR is stood in for. */
    const inStage = (path: string, at: { directory: string; workdir: string }, line: number) => {
      const absolute = posix.resolve(at.workdir, path);
      if (absolute !== at.workdir && !absolute.startsWith(`${at.workdir}/`))
        throw new Error(
          `Line ${line}: ${path} is outside WORKDIR ${at.workdir}, which this build does not stand in for`,
        );
      return join(at.directory, posix.relative(at.workdir, absolute));
    };
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      const args = instruction.getArgumentsContent() ?? '';
      const line = lineOf(instruction);
      if (keyword === 'WORKDIR') {
        if (workdir !== undefined && workdir !== args)
          throw new Error(`Line ${line}: a second WORKDIR (${args}) in one stage is not stood in for`);
        if (!args.startsWith('/')) throw new Error(`Line ${line}: WORKDIR must be absolute`);
        workdir = posix.normalize(args);
        continue;
      }
      if (keyword === 'ENV') {
        for (const property of (instruction as Env).getProperties())
          env[property.getName()] = property.getValue() ?? '';
        continue;
      }
      if (keyword === 'USER') {
        user = args;
        continue;
      }
      if (keyword === 'CMD') {
        cmd = execForm(instruction);
        if (cmd.length === 0) throw new Error(`Line ${line}: CMD must be in exec form`);
        continue;
      }
      if (workdir === undefined) throw new Error(`Line ${line}: ${keyword} before WORKDIR`);
      const here = { directory, workdir };
      if (keyword === 'COPY') {
        const flags = (instruction as Copy).getFlags();
        const fromFlag = flags.find((flag) => flag.getName() === 'from');
        const unknown = flags.filter((flag) => flag !== fromFlag).map((flag) => flag.toString());
        if (unknown.length > 0)
          throw new Error(`Line ${line}: COPY ${unknown.join(' ')} is not stood in for`);
        if (execForm(instruction).length > 0) throw new Error(`Line ${line}: COPY [...] is not stood in for`);
        const paths = instruction.getArguments().map((argument) => argument.getValue());
        const destination = paths.pop()!;
        if (paths.length === 0) throw new Error(`Line ${line}: COPY needs a source`);
        const stageName = fromFlag?.getValue() ?? undefined;
        const from = stageName === undefined ? undefined : built.get(stageName);
        if (stageName !== undefined && !from)
          throw new Error(`Line ${line}: --from=${stageName} names no earlier stage`);
        const sources = paths.map((path) => {
          if (/[*?[]/.test(path)) throw new Error(`Line ${line}: wildcards in COPY are not stood in for`);
          const source = from ? inStage(path, from, line) : join(context, normalize(`/${path}`));
          if (!existsSync(source))
            throw new Error(
              `Line ${line}: COPY ${path}: not found ${from ? `in stage ${stageName}` : 'in the build context (is it excluded by the ignore file?)'}`,
            );
          return source;
        });
        const intoDirectory = destination.endsWith('/') || destination === '.' || paths.length > 1;
        copy(sources, inStage(destination, here, line), intoDirectory);
        continue;
      }
      if (keyword === 'RUN') {
        if ((instruction as JSONInstruction).getFlags().length > 0 || args.includes('\n'))
          throw new Error(
            `Line ${line}: RUN flags, here-documents and comments inside RUN are not stood in for`,
          );
        const exec = execForm(instruction);
        const command = exec.length > 0 ? exec : ['/bin/sh', '-c', args];
        const { code, output } = await run(command, directory, { ...options.runEnv, ...env });
        options.log?.(`RUN ${args}\n${output}`);
        if (code !== 0)
          throw new Error(`Line ${line}: RUN ${args} failed with exit code ${code}:\n${output.slice(-4000)}`);
        continue;
      }
      throw new Error(`Line ${line}: ${keyword} is not stood in for by this build`);
    }
    if (workdir === undefined) throw new Error(`Stage ${stage.name ?? index} has no WORKDIR`);
    if (stage.name) built.set(stage.name, { directory, workdir });
    built.set(String(index), { directory, workdir });
    image = { from: stage.from, directory, workdir, env, ...(user && { user }), cmd, context: files };
  }
  if (!image) throw new Error(`${dockerfile} has no stage`);
  return image;
}
