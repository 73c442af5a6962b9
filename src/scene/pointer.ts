import type { ThreeEvent } from "@react-three/fiber";
import type { GridReading } from "./markers";

/** Pointer movement larger than this (px) between down and up was an orbit, not a pick. */
const DRAG_PX = 4;

/**
 * Hover and click handlers shared by the surface and the 1-D curve: hover shows the grid reading
 * under the pointer, a click (not a drag that orbited the camera) picks it.
 */
export function pickHandlers(
  reading: (e: ThreeEvent<PointerEvent | MouseEvent>) => GridReading,
  showHover: (r: GridReading | null) => void,
  onPick: (r: GridReading) => void,
) {
  return {
    onPointerMove(e: ThreeEvent<PointerEvent>) {
      e.stopPropagation();
      showHover(reading(e));
    },
    onPointerOut() {
      showHover(null);
    },
    onClick(e: ThreeEvent<MouseEvent>) {
      if (e.delta > DRAG_PX) return;
      e.stopPropagation();
      onPick(reading(e));
    },
  };
}
