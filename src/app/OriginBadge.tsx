/**
 * One line over the views that says where the shown landscape came from ("library: sharp
 * minimum", "imported: run.json.gz", "lesson: ...") and whether the controls describe it, so the
 * page never claims that its controls made a landscape they did not (origin.ts). Nothing for a
 * plain run the controls still describe.
 */
import { memo } from "react";
import { type LandscapeOrigin, originBadge } from "../state/origin";
import { selectShownOrigin, useAppStore } from "../state/store";
import { PRESETS } from "./presets";

/** Presets by their label in the badge (the origin holds the preset's file name). */
function withPresetLabel(origin: LandscapeOrigin): LandscapeOrigin {
  if (origin.kind !== "preset") return origin;
  const label = PRESETS.find((p) => p.name === origin.name)?.label;
  return label ? { ...origin, name: label } : origin;
}

/** Memoised: it reads the store itself, so a redraw of the landscape panel leaves it alone. */
export const OriginBadge = memo(function OriginBadge() {
  const origin = useAppStore(selectShownOrigin);
  const settings = useAppStore((s) => s.settings);
  // An imported surface file has its own badge in the header (SnapshotActions).
  if (!origin || origin.kind === "surface-file") return null;
  const text = originBadge(withPresetLabel(origin), settings);
  if (!text) return null;
  return (
    <div className="origin-line" data-testid="source-badge" data-origin={origin.kind} role="status">
      {text}
    </div>
  );
});
