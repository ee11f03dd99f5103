/**
 * Watches a WebSocket's incoming bytes for frames larger than API Gateway accepts (32 KB per
 * frame; a message may span several frames up to 128 KB). `ws` only limits whole messages, so
 * this reads each frame header, skips its payload, and calls `onOversize` for the first
 * frame that is too large.
 */
export function frameSizeGuard(maxFrameBytes: number, onOversize: (bytes: number) => void) {
  let pending: Buffer | undefined;
  let skip = 0;
  let tripped = false;
  return (chunk: Buffer) => {
    if (tripped) return;
    const data = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    let offset = 0;
    while (offset < data.length) {
      if (skip > 0) {
        const taken = Math.min(skip, data.length - offset);
        skip -= taken;
        offset += taken;
        continue;
      }
      const available = data.length - offset;
      const short = available >= 2 ? data[offset + 1]! & 0x7f : 0;
      const masked = available >= 2 && (data[offset + 1]! & 0x80) !== 0;
      const headerLength = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (masked ? 4 : 0);
      if (available < 2 || available < headerLength) {
        pending = Buffer.from(data.subarray(offset));
        return;
      }
      const payload =
        short === 126
          ? data.readUInt16BE(offset + 2)
          : short === 127
            ? Number(data.readBigUInt64BE(offset + 2))
            : short;
      offset += headerLength;
      if (payload > maxFrameBytes) {
        tripped = true;
        onOversize(payload);
        return;
      }
      skip = payload;
    }
  };
}
