/**
 * A side panel of the lab (the controls, the model and training panel) that is either a column
 * beside the views (`docked`) or a drawer over them, opened by its toggle button (DockToggle) and
 * closed by its × button, the toggle or Escape. A closed drawer is not displayed (its fields are
 * out of the Tab order); its components stay mounted, so what they hold (typed text, the
 * training transport) lives on. layout.ts decides which panels dock.
 *
 * @example <Dock side="left" title="Controls" docked={d.controls} open={open} onClose={close}>...</Dock>
 */
import { type KeyboardEvent, type ReactNode, useEffect, useRef } from "react";
import { isEditable } from "./presentation-keys";

export function Dock({
  side,
  id,
  title,
  docked,
  open,
  onClose,
  children,
}: {
  side: "left" | "right";
  id: string;
  title: string;
  docked: boolean;
  open: boolean;
  onClose(): void;
  children: ReactNode;
}) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const drawerOpen = !docked && open;
  // An opened drawer takes the focus (its × first), so the keys go on inside it.
  useEffect(() => {
    if (drawerOpen) closeRef.current?.focus();
  }, [drawerOpen]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== "Escape" || docked || isEditable(e.target)) return;
    e.preventDefault();
    onClose();
  };
  const mode = docked ? "docked" : drawerOpen ? "drawer open" : "drawer";
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape closes the drawer from anywhere inside it
    <div
      id={id}
      className={`dock dock-${side} ${mode}`}
      data-testid={`dock-${side}`}
      data-docked={docked}
      data-open={drawerOpen}
      onKeyDown={onKeyDown}
    >
      {!docked && (
        <div className="dock-head">
          <span className="dock-title">{title}</span>
          <button
            ref={closeRef}
            type="button"
            className="dock-close"
            data-testid={`dock-${side}-close`}
            onClick={onClose}
            title={`Close the ${title.toLowerCase()} drawer: the views are uncovered again`}
          >
            ×
          </button>
        </div>
      )}
      <div className="dock-body">{children}</div>
    </div>
  );
}

/** The button that opens (or closes) a drawer; rendered only while its panel is a drawer. */
export function DockToggle({
  side,
  controls,
  label,
  open,
  onToggle,
  title,
}: {
  side: "left" | "right";
  /** The id of the Dock it opens. */
  controls: string;
  label: string;
  open: boolean;
  onToggle(): void;
  title: string;
}) {
  return (
    <button
      type="button"
      className={`dock-toggle dock-toggle-${side}${open ? " active" : ""}`}
      data-testid={`dock-${side}-toggle`}
      aria-expanded={open}
      aria-controls={controls}
      onClick={onToggle}
      title={title}
    >
      {side === "left" ? `☰ ${label}` : `${label} ☰`}
    </button>
  );
}
