/**
 * The text of a final_answer call while its JSON arguments are still arriving: models stream a
 * tool call's input as raw JSON pieces (`{"te`, `xt": "The av`, …), and the person should see the
 * answer as it is written, not once the call is complete.
 */

/** The decoded prefix of the top-level "text" string in partial JSON, or undefined before it starts. */
export function partialAnswerText(json: string): string | undefined {
  const key = /"text"\s*:\s*"/.exec(json);
  if (!key) return undefined;
  let out = '';
  for (let i = key.index + key[0].length; i < json.length; i++) {
    const c = json[i]!;
    if (c === '"') return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = json[i + 1];
    if (e === undefined) return out; // an escape cut in half: wait for the rest
    if (e === 'u') {
      const hex = json.slice(i + 2, i + 6);
      if (hex.length < 4) return out;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 5;
      continue;
    }
    out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
    i += 1;
  }
  return out;
}

/**
 * Turns a growing final_answer argument string into the new text since the last call: feed it
 * every piece, and it calls `emit` with what the reader has not seen yet.
 */
export function answerTextStream(emit: (delta: string) => void): (piece: string) => void {
  let json = '';
  let sent = 0;
  return (piece) => {
    json += piece;
    const text = partialAnswerText(json);
    if (text === undefined || text.length <= sent) return;
    emit(text.slice(sent));
    sent = text.length;
  };
}
