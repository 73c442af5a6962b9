/**
 * Number text for the text exports: the shortest decimal that reads back as the same float32
 * (values) or float64 (CSV coordinates), so a parser gets the stored numbers exactly.
 *
 * @example float32Text(Math.fround(0.1)); // "0.1"
 */
import { shortestFloat32Decimal } from "../snapshot/arrays";

/** Shortest decimal of a float32 value ("NaN", "Infinity", "-Infinity" for non-finite ones). */
export function float32Text(v: number): string {
  return String(shortestFloat32Decimal(Math.fround(v)));
}

/** The shortest round-trip decimal of a float64 (JavaScript's own number to string). */
export function float64Text(v: number): string {
  return String(v);
}

/**
 * The reference tool's log scale for surfaces (h52vtp.py --log): ln(v + 0.1), so that a loss of
 * 0 stays finite. Values <= -0.1 give NaN or -Infinity and count as non-finite.
 */
export function referenceLog(v: number): number {
  return Math.log(v + 0.1);
}
