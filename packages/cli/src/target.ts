import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod';
import { CliError } from './errors';

/** Where a Cascade lives: the subset of the local cloud's endpoints.json (or a deployed stage's) the CLI needs. */
export const TargetFile = z.object({
  region: z.string().min(1),
  websocketUrl: z.string().min(1),
  userPoolId: z.string().min(1),
  userPoolClientId: z.string().min(1),
  /** Locally, the edge answers Cognito; on AWS it is Cognito's regional endpoint. */
  edgeUrl: z.string().min(1).optional(),
  /** The administrators' function `cascade admin` invokes to cut access at once. */
  adminFunction: z.string().min(1).optional(),
});

export interface Target {
  /** The file it was read from, as given. */
  file: string;
  region: string;
  websocketUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  cognitoUrl: string;
  /** The local cloud's edge, which also answers Cognito's admin API; absent for a deployed stage. */
  edgeUrl?: string;
  adminFunction?: string;
  /** Tokens are kept per target: one user pool's app client. */
  key: string;
}

export const defaultEndpointsFile = '.cascade/endpoints.json';

/** `--endpoints FILE`, else $CASCADE_ENDPOINTS, else the local cloud's file in the current directory. */
export function endpointsFileFrom(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? (env.CASCADE_ENDPOINTS || defaultEndpointsFile);
}

export async function loadTarget(file: string, cwd: string): Promise<Target> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch {
    throw new CliError(
      `No endpoints at ${file}: start the local cloud with \`npm start\`, or pass --endpoints FILE.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`The endpoints file ${file} is not valid JSON.`);
  }
  const parsed = TargetFile.safeParse(json);
  if (!parsed.success)
    throw new CliError(
      `The endpoints file ${file} lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}: it needs region, websocketUrl, userPoolId and userPoolClientId.`,
    );
  const { region, websocketUrl, userPoolId, userPoolClientId, edgeUrl, adminFunction } = parsed.data;
  return {
    file,
    region,
    websocketUrl,
    userPoolId,
    userPoolClientId,
    cognitoUrl: edgeUrl ?? `https://cognito-idp.${region}.amazonaws.com`,
    ...(edgeUrl !== undefined && { edgeUrl }),
    ...(adminFunction !== undefined && { adminFunction }),
    key: `${userPoolId}/${userPoolClientId}`,
  };
}
