import { useEffect, useRef, useState } from 'react';

/**
 * Whether the element's content is larger than it along `axis`, so it scrolls: such a box is
 * made focusable, so the keyboard can scroll it too.
 */
export function useOverflows<T extends HTMLElement>(axis: 'x' | 'y') {
  const ref = useRef<T>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () =>
      setOverflows(
        axis === 'x'
          ? element.scrollWidth > element.clientWidth
          : element.scrollHeight > element.clientHeight,
      );
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, [axis]);
  return [ref, overflows] as const;
}
