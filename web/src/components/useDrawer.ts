import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';

/** Whether the sidebar is a drawer (the phone layout in styles.css). */
function usePhoneLayout(): boolean {
  const query = '(max-width: 760px)';
  const [phone, setPhone] = useState(() => typeof matchMedia === 'function' && matchMedia(query).matches);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const list = matchMedia(query);
    const onChange = () => setPhone(list.matches);
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, []);
  return phone;
}

const focusable =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Tab and Shift+Tab stay inside `container`: it is a modal dialog. */
function containTab(event: KeyboardEvent, container: HTMLElement | null) {
  if (event.key !== 'Tab' || !container) return;
  const all = [...container.querySelectorAll<HTMLElement>(focusable)].filter((e) => e.offsetParent !== null);
  const first = all[0];
  const last = all[all.length - 1];
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * The sidebar's menu. On a phone the open sidebar is a modal dialog (`drawer`): it takes the
 * focus when it opens, keeps Tab inside, closes on Escape, and gives the focus back to the Menu
 * button when it closes. On a wide screen it is always there.
 */
export function useDrawer() {
  const [menuOpen, setMenuOpen] = useState(false);
  const drawer = usePhoneLayout() && menuOpen;
  const sidebar = useRef<HTMLElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);

  const wasDrawer = useRef(false);
  useEffect(() => {
    if (drawer) sidebar.current?.querySelector<HTMLElement>('.drawer-close')?.focus();
    else if (wasDrawer.current) menuButton.current?.focus();
    wasDrawer.current = drawer;
  }, [drawer]);

  const closeMenu = useCallback(() => setMenuOpen(false), []);
  const toggleMenu = useCallback(() => setMenuOpen((open) => !open), []);
  const onDrawerKey = (event: KeyboardEvent<HTMLElement>) => {
    if (!drawer) return;
    if (event.key === 'Escape') {
      event.stopPropagation();
      closeMenu();
    } else containTab(event, sidebar.current);
  };
  return { menuOpen, drawer, sidebar, menuButton, closeMenu, toggleMenu, onDrawerKey };
}
