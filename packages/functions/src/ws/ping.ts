import { route } from './route';

export const handler = route('ping', async (request) => ({
  action: 'pong',
  ...(request.messageId !== undefined && { messageId: request.messageId }),
}));
