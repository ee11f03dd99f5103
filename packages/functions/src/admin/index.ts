import {
  type AdminResult,
  administer,
  logger,
  type ProtocolErrorBody,
  parseAdminRequest,
  toProtocolError,
} from '@cascade/core';
import { chatDeps } from '../deps';
import { lambdaHandler } from '../observability';

export type AdminAnswer = { ok: true; result: AdminResult } | { ok: false; error: ProtocolErrorBody };

/**
 * The administrators' function: `cascade admin` invokes it with the administrator's own AWS
 * credentials (lambda:InvokeFunction on it is what makes someone an administrator) to cut a
 * user's access at once, lift the cut, and list or revoke anyone's API keys. What the caller got
 * wrong comes back as `{ ok: false, error }` in the protocol's error shape; anything else throws.
 */
export const handler = lambdaHandler(async (event: unknown): Promise<AdminAnswer> => {
  try {
    const request = parseAdminRequest(event);
    return { ok: true, result: await administer(chatDeps(), request) };
  } catch (error) {
    const body = toProtocolError(error);
    if (body.code === 'INTERNAL') throw error;
    logger.info('admin request refused', { code: body.code, message: body.message });
    return { ok: false, error: body };
  }
});
