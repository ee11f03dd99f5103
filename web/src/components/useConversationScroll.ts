import { type RefObject, useEffect, useLayoutEffect, useRef } from 'react';
import type { Run, Turn } from '../state/chat';

/** Changes whenever the conversation or the run below it grows. */
const progressOf = (turns: Turn[], run: Run | undefined) =>
  `${turns.length}:${run?.completed}:${run?.status}:${run ? Object.values(run.items).reduce((n, i) => n + i.steps.length + (i.streamed?.text.length ?? 0), 0) : 0}`;

/**
 * Keeps the newest content in view as the run progresses, unless the person scrolled up to
 * read. Returns the scroller's `onScroll`.
 */
export function useStickToBottom(
  scroller: RefObject<HTMLElement | null>,
  turns: Turn[],
  run: Run | undefined,
): () => void {
  const stuckToBottom = useRef(true);
  const progressKey = progressOf(turns, run);
  useEffect(() => {
    const element = scroller.current;
    if (element && progressKey && stuckToBottom.current) element.scrollTop = element.scrollHeight;
  }, [scroller, progressKey]);
  return () => {
    const element = scroller.current;
    if (element)
      stuckToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 120;
  };
}

/**
 * "Load earlier messages": they go in above what the person is reading, and the view stays on
 * it. The button goes once the first message is in; if it had the focus, the conversation takes it.
 */
export function useEarlierMessages(
  scroller: RefObject<HTMLElement | null>,
  { loading, available, load }: { loading: boolean; available: boolean; load: () => void },
) {
  const earlierButton = useRef<HTMLButtonElement>(null);
  const heightBefore = useRef<number | undefined>(undefined);
  const hadFocus = useRef(false);
  const loadEarlier = () => {
    if (loading) return;
    heightBefore.current = scroller.current?.scrollHeight;
    hadFocus.current = document.activeElement === earlierButton.current;
    load();
  };
  // The earlier page's turns arrive in the same update that ends the loading.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || heightBefore.current === undefined || loading) return;
    element.scrollTop += element.scrollHeight - heightBefore.current;
    heightBefore.current = undefined;
  }, [scroller, loading]);
  useEffect(() => {
    if (!available && hadFocus.current) scroller.current?.focus({ preventScroll: true });
    hadFocus.current = false;
  }, [scroller, available]);
  return { earlierButton, loadEarlier };
}

/** Just signed in: the keyboard starts at the top of the conversation (`heading`), not on the page's body. */
export function useFocusOnArrival(
  heading: RefObject<HTMLElement | null>,
  takeFocus: boolean | undefined,
): void {
  const focusOnArrival = useRef(takeFocus);
  useEffect(() => {
    if (focusOnArrival.current) heading.current?.focus({ preventScroll: true });
  }, [heading]);
}
