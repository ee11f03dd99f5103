import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import * as z from 'zod';

/** What a signed-in person holds for one target. Never the password. */
export const Tokens = z.object({
  email: z.string(),
  idToken: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  /** When the ID token expires, in ms since the epoch. */
  expiresAt: z.number(),
});
export type Tokens = z.infer<typeof Tokens>;

const CredentialsFile = z.object({ version: z.literal(1), targets: z.record(z.string(), Tokens) });
type CredentialsFile = z.infer<typeof CredentialsFile>;

/** `$XDG_CONFIG_HOME/cascade/credentials.json`, else `~/.config/cascade/credentials.json`. */
export function credentialsPath(env: NodeJS.ProcessEnv, home = homedir()): string {
  const config =
    env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'cascade', 'credentials.json');
}

/** Tokens per target (user pool + app client), in a file only its owner may read (600, directory 700). */
export class CredentialStore {
  constructor(readonly path: string) {}

  async get(targetKey: string): Promise<Tokens | undefined> {
    return (await this.read()).targets[targetKey];
  }

  async put(targetKey: string, tokens: Tokens): Promise<void> {
    const file = await this.read();
    await this.write({ ...file, targets: { ...file.targets, [targetKey]: tokens } });
  }

  async remove(targetKey: string): Promise<void> {
    const file = await this.read();
    const { [targetKey]: _gone, ...targets } = file.targets;
    await this.write({ ...file, targets });
  }

  /** A missing or damaged file holds no one: the person logs in again and it is rewritten. */
  private async read(): Promise<CredentialsFile> {
    try {
      const parsed = CredentialsFile.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // Missing or not JSON: the same as empty.
    }
    return { version: 1, targets: {} };
  }

  /** Written whole to a private temporary file, then renamed over, so a crash never leaves half a file. */
  private async write(file: CredentialsFile): Promise<void> {
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await chmod(directory, 0o700);
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }
}

/** The claims of a JWT, read without verifying it: the server verifies, the CLI only schedules and shows. */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** When an ID token expires (its `exp`), else an hour from now as Cognito's default. */
export function tokenExpiry(idToken: string, now = Date.now()): number {
  const exp = jwtClaims(idToken).exp;
  return typeof exp === 'number' ? exp * 1000 : now + 3600 * 1000;
}

/** Refresh an ID token this close to its expiry, so it cannot expire during the handshake. */
export const refreshMarginMs = 60 * 1000;

export function needsRefresh(tokens: Pick<Tokens, 'expiresAt'>, now = Date.now()): boolean {
  return tokens.expiresAt - now <= refreshMarginMs;
}
