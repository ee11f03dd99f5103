import { createInterface } from 'node:readline';
import { CliError, exitCodes } from './errors';

/** Where a command reads and writes; tests and the process give their own. */
export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

export const processIo = (): Io => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** A person at a terminal who can answer a question. */
export const canPrompt = (io: Io) => io.stdin.isTTY === true && io.stderr.isTTY === true;

/** Everything on stdin, without the final line break (how `--password-stdin` reads). */
export async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed; Ctrl-C gives up. */
export function promptHidden(io: Io, question: string): Promise<string> {
  const { stdin } = io;
  return new Promise((resolve, reject) => {
    io.stderr.write(question);
    let typed = '';
    const finish = (done: () => void) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      done();
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish(() => resolve(typed));
        if (char === '\u0003') return finish(() => reject(new CliError('Stopped.', exitCodes.interrupted)));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** Asks one line on the terminal; Ctrl-C (or the end of input) answers with nothing. */
export function promptLine(io: Io, question: string): Promise<string> {
  return new Promise((resolve) => {
    const reader = createInterface({
      input: io.stdin,
      output: io.stderr as NodeJS.WritableStream,
      terminal: true,
    });
    let answered = false;
    const answer = (text: string) => {
      if (answered) return;
      answered = true;
      reader.close();
      io.stdin.pause();
      resolve(text.trim());
    };
    reader.on('SIGINT', () => {
      io.stderr.write('\n');
      answer('');
    });
    reader.on('close', () => answer(''));
    reader.question(question, answer);
  });
}
