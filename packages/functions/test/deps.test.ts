import { describe, expect, it, vi } from 'vitest';
import { builtOnFirstUse } from '../src/deps';

describe('builtOnFirstUse', () => {
  it('builds a dependency only when it is first read, and only once', () => {
    const buildSessions = vi.fn(() => ({ table: 'sessions' }));
    const buildOrchestrator = vi.fn(() => ({ arn: 'machine' }));
    const deps = builtOnFirstUse({ sessions: buildSessions, orchestrator: buildOrchestrator });

    expect(buildSessions).not.toHaveBeenCalled();
    expect(deps.sessions).toEqual({ table: 'sessions' });
    expect(deps.sessions).toBe(deps.sessions);
    expect(buildSessions).toHaveBeenCalledTimes(1);
    // A handler that never reads the orchestrator never reads the state machine's link.
    expect(buildOrchestrator).not.toHaveBeenCalled();
  });

  it('a builder that fails (an unlinked resource) fails the read, and the next read tries again', () => {
    let linked = false;
    const deps = builtOnFirstUse({
      orchestrator: () => {
        if (!linked) throw new Error('"AgentStateMachine" is not linked');
        return { arn: 'machine' };
      },
    });
    expect(() => deps.orchestrator).toThrow('is not linked');
    linked = true;
    expect(deps.orchestrator).toEqual({ arn: 'machine' });
  });

  it('spreading builds every dependency, as a caller that needs them all expects', () => {
    const deps = builtOnFirstUse({ a: () => 1, b: () => 2 });
    expect({ ...deps }).toEqual({ a: 1, b: 2 });
  });
});
