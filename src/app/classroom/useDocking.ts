/**
 * The lab's docking for the current window width and number of landscape views (layout.ts),
 * following window resizes (and browser zoom, which changes the width in CSS pixels).
 */
import { useEffect, useState } from "react";
import { chooseDocking, type Docking } from "./layout";

export function useDocking(views: number): Docking {
  const [width, setWidth] = useState(() => (typeof window === "undefined" ? 1920 : window.innerWidth));
  useEffect(() => {
    const onResize = () => setWidth(window.innerWidth);
    window.addEventListener("resize", onResize);
    onResize();
    return () => window.removeEventListener("resize", onResize);
  }, []);
  return chooseDocking(width, views);
}
