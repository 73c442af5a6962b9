/**
 * Keyboard moves in a horizontal tab list (WAI-ARIA Authoring Practices, tabs pattern). Pure.
 */

/**
 * The tab a key moves to in a horizontal tab list (WAI-ARIA tabs pattern: arrows wrap around,
 * Home and End go to the first and last tab), or null for other keys.
 *
 * @example tabForKey(["3d", "contour"], "contour", "ArrowRight") // "3d"
 */
export function tabForKey<T>(tabs: readonly T[], current: T, key: string): T | null {
  const i = tabs.indexOf(current);
  if (tabs.length === 0 || i < 0) return null;
  switch (key) {
    case "ArrowRight":
      return tabs[(i + 1) % tabs.length];
    case "ArrowLeft":
      return tabs[(i - 1 + tabs.length) % tabs.length];
    case "Home":
      return tabs[0];
    case "End":
      return tabs[tabs.length - 1];
    default:
      return null;
  }
}
