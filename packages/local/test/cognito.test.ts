import { describe, expect, it } from 'vitest';
import { codesInPool, parseCodeDeliveries } from '../src/emulators/cognito';

describe('reading cognito-local’s code deliveries', () => {
  it('finds username, destination and code in its boxed, coloured log lines', () => {
    const log = [
      '\u001b[32mINFO\u001b[39m NONE NONE ╭──────────────────────────╮',
      '│   Confirmation Code Delivery                 │',
      '│   Username:    5f0c1d2e-aaaa                 │',
      '│   Destination: \u001b[1mann@example.com\u001b[22m  │',
      '│   Code:        123456                         │',
      '╰──────────────────────────╯',
      'later: Confirmation Code Delivery Username: b Code: 999',
    ].join('\n');
    expect(parseCodeDeliveries(log)).toEqual([
      { username: '5f0c1d2e-aaaa', destination: 'ann@example.com', code: '123456' },
      { username: 'b', destination: 'b', code: '999' },
    ]);
    expect(parseCodeDeliveries('nothing here')).toEqual([]);
  });

  it('finds the codes kept on its users, by e-mail, and nothing in a file caught mid-write', () => {
    const pool = {
      Users: {
        '5f0c': {
          Username: '5f0c',
          ConfirmationCode: '654321',
          Attributes: [
            { Name: 'sub', Value: '5f0c' },
            { Name: 'email', Value: 'ann@example.com' },
          ],
        },
        confirmed: { Username: 'confirmed', Attributes: [{ Name: 'email', Value: 'bo@example.com' }] },
      },
    };
    expect(codesInPool(JSON.stringify(pool))).toEqual([
      { username: '5f0c', destination: 'ann@example.com', code: '654321' },
    ]);
    expect(codesInPool(JSON.stringify(pool).slice(0, 40))).toEqual([]);
    expect(codesInPool('{}')).toEqual([]);
  });
});
