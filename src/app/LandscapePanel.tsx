import { type KeyboardEvent, memo, type ReactNode, useId, useMemo, useRef, useState } from "react";
import { isPathsLesson } from "../core/lessons/parse";
import type { SharedCamera } from "../scene/camera";
import { LandscapeCanvas } from "../scene/LandscapeCanvas";
import { Legend } from "../scene/Legend";
import { fitScale } from "../scene/scale";
import { selectShownLandscape, selectShownOrigin, selectViewOptions, useAppStore } from "../state/store";
import type { DrawnLandscape, PickedPoint } from "../state/types";
import { paneTitles } from "./classroom/pane-titles";
import { LessonCard } from "./LessonCard";
import { OriginBadge } from "./OriginBadge";
import { ReplayScene } from "./replay/ReplayScene";
import { ReplayTimeline } from "./replay/ReplayTimeline";
import { tabForKey } from "./tab-keys";
import { useDrawnLandscape } from "./useDrawnLandscape";
import { ContourView } from "./views/ContourView";
import { SliceView } from "./views/SliceView";

type Mode = "3d" | "contour";

const MODES: readonly Mode[] = ["3d", "contour"];
const MODE_LABELS: Record<Mode, string> = { "3d": "3D surface", contour: "Contour map" };

/** The surface of one landscape's chosen metric, when it has one. */
function surfaceOf(view: DrawnLandscape | null, metric: string): Float32Array | null {
  return view?.snapshot.surfaces[metric] ?? null;
}

/** Markers grow by this much in presentation mode (seen from the back of a room). */
const PRESENTATION_MARKER_SCALE = 1.8;

interface LandscapePanelProps {
  onPick(p: PickedPoint): void;
  onCloseLesson(): void;
  /** Before the view tabs (the controls drawer's button when the controls are a drawer). */
  toolbarStart?: ReactNode;
  /** After the legend (the side panel drawer's button). */
  toolbarEnd?: ReactNode;
  /** Two views one above the other (a narrow window) rather than side by side. */
  stacked?: boolean;
}

/**
 * The landscape: 3D surface or contour map (and the compared landscape beside it, on the same
 * colour scale and with the same camera, each titled with what differs), the legend, then what
 * goes with the pictures: an open lesson's claim, checks and numbers, and the 1-D slices. The
 * panel scrolls when they do not all fit under views of their smallest height (app.css).
 * In presentation mode a lesson's claim is a caption over the views and the rest is hidden.
 */
export function LandscapePanel(props: LandscapePanelProps) {
  // The computed (or imported) snapshot, else a surface file imported from another tool; while
  // it grows in place, each growth is drawn in a deferred render (useDrawnLandscape.ts).
  const { landscape, version } = useDrawnLandscape(
    useAppStore(selectShownLandscape),
    useAppStore((s) => s.landscapeVersion),
  );
  return <PanelBody {...props} landscape={landscape} version={version} />;
}

/**
 * Memoised: the store update that reports new grid points re-renders LandscapePanel with the
 * landscape and version drawn so far, and this body (the views) waits for the deferred render.
 */
const PanelBody = memo(function PanelBody({
  onPick,
  onCloseLesson,
  toolbarStart,
  toolbarEnd,
  stacked = false,
  landscape,
  version,
}: LandscapePanelProps & { landscape: DrawnLandscape | null; version: number }) {
  const compare = useAppStore((s) => s.compare);
  const lesson = useAppStore((s) => s.lesson?.lesson ?? null);
  const presenting = useAppStore((s) => s.presenting);
  const origin = useAppStore(selectShownOrigin);
  const picked = useAppStore((s) => s.picked);
  const options = useAppStore(selectViewOptions);
  const [mode, setMode] = useState<Mode>("3d");
  const tabIds = useId();
  const tabRefs = useRef<Partial<Record<Mode, HTMLButtonElement | null>>>({});
  const tabId = (m: Mode) => `${tabIds}-tab-${m}`;
  const panelId = `${tabIds}-panel`;
  // Tabs pattern with automatic activation: the arrow keys select the next tab and focus it.
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const next = tabForKey(MODES, mode, e.key);
    if (!next) return;
    e.preventDefault();
    setMode(next);
    tabRefs.current[next]?.focus();
  };
  const [camera, setCamera] = useState<SharedCamera | null>(null);

  const isAccuracy = options.metric.endsWith("accuracy");
  const log = options.logScale && !isAccuracy;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version marks in-place surface updates
  const scale = useMemo(() => {
    const surfaces = [surfaceOf(landscape, options.metric), surfaceOf(compare, options.metric)].filter(
      (s): s is Float32Array => s !== null,
    );
    return fitScale(surfaces, { log, clipQuantile: options.clipQuantile });
  }, [landscape, compare, options.metric, log, options.clipQuantile, version]);
  // One object while the options do not change: the views' memos (and memo'd children) key on it,
  // and a growing landscape re-renders this panel a few times a second.
  const viewOptions = useMemo(() => ({ ...options, logScale: log }), [options, log]);
  const oneD = landscape?.snapshot.grid.axes.length === 1;
  // A 1-D landscape has no contour map: its curve shows in the 3D view whatever the tab.
  const show3d = mode === "3d" || oneD;
  const cameraSync = { state: camera, onChange: setCamera };
  // A flatness lesson shows its first run (pinned) on the left and its second (current) on the
  // right; a paths lesson its one run's plane.
  const pathsLesson = lesson && isPathsLesson(lesson) ? lesson : null;
  const runs = lesson && !isPathsLesson(lesson) ? lesson.runs : null;
  // A comparison's panes are titled with what differs between the two experiments.
  const differs = useMemo(
    () => (compare && !runs ? paneTitles(compare.origin, origin) : null),
    [compare, runs, origin],
  );
  const currentTitle = pathsLesson ? pathsLesson.run.label : (runs?.[1]?.label ?? differs?.current ?? "");
  const current = { view: landscape, role: "current" as const, title: currentTitle };
  const pinned = compare
    ? { view: compare, role: "compare" as const, title: runs?.[0]?.label ?? differs?.pinned ?? "" }
    : null;
  const views = pinned ? (lesson ? [pinned, current] : [current, pinned]) : [current];
  const classes = ["landscape-panel"];
  if (lesson) classes.push("with-lesson");
  if (presenting && lesson) classes.push("with-caption");
  if (stacked && views.length > 1) classes.push("stacked-views");

  return (
    <section className={classes.join(" ")} aria-label="Loss landscape">
      {presenting && lesson ? (
        <div className="presentation-caption" data-testid="presentation-caption">
          <h2>{lesson.title}</h2>
          <p>{lesson.claim}</p>
        </div>
      ) : null}
      <div className="panel-head">
        <div className="panel-toolbar">
          {toolbarStart}
          <div className="tabs" role="tablist" aria-label="Landscape view">
            {MODES.map((m) => (
              <button
                key={m}
                ref={(el) => {
                  tabRefs.current[m] = el;
                }}
                type="button"
                role="tab"
                id={tabId(m)}
                aria-selected={mode === m}
                aria-controls={panelId}
                tabIndex={mode === m ? 0 : -1}
                data-testid={`tab-${m}`}
                className={mode === m ? "tab active" : "tab"}
                title={
                  m === "3d"
                    ? "The loss as a surface in 3D: height and colour are the loss (drag to turn it)"
                    : "The loss seen from above as a coloured map with contour lines (easier to read exact places)"
                }
                onClick={() => setMode(m)}
                onKeyDown={onTabKey}
              >
                {MODE_LABELS[m]}
              </button>
            ))}
          </div>
          <Legend
            scale={scale}
            colormap={options.colormap}
            metric={options.metric}
            empty={surfaceOf(landscape, options.metric) === null}
            testId="legend"
            className="toolbar-legend"
          />
          {toolbarEnd}
        </div>
        <OriginBadge />
      </div>
      <div
        className={`landscape-views count-${views.length}${stacked ? " stacked" : ""}`}
        role="tabpanel"
        id={panelId}
        aria-labelledby={tabId(mode)}
        data-testid="landscape-tabpanel"
      >
        {views.map(({ view, role, title }) => (
          // Entering or leaving comparison remounts the views, so each frames itself for its new width.
          <div className="landscape-view" key={`${role}-${views.length}`}>
            {(compare || pathsLesson) && title ? (
              <div className="view-title" data-testid={`view-title-${role}`}>
                {title}
              </div>
            ) : null}
            {/* Both views stay mounted, the other one hidden: a tab switch only shows and hides
                (unmounting the 3D view would lose its WebGL context, a long wait, LandscapeCanvas). */}
            <div className="view-slot" hidden={!show3d}>
              <LandscapeCanvas
                view={view}
                options={viewOptions}
                scale={scale}
                onPick={role === "current" ? onPick : undefined}
                camera={compare ? cameraSync : undefined}
                version={version}
                active={show3d}
                markerScale={presenting ? PRESENTATION_MARKER_SCALE : 1}
                testId={role === "current" ? "landscape-3d" : "landscape-3d-compare"}
              >
                {role === "current" && (
                  <ReplayScene view={view} scale={scale} options={viewOptions} version={version} />
                )}
              </LandscapeCanvas>
            </div>
            {!oneD && (
              <div className="view-slot" hidden={show3d}>
                <ContourView
                  view={view}
                  options={viewOptions}
                  scale={scale}
                  onPick={role === "current" ? onPick : undefined}
                  version={version}
                  picked={role === "current" ? picked : null}
                  testId={role === "current" ? "landscape-contour" : "landscape-contour-compare"}
                />
              </div>
            )}
          </div>
        ))}
      </div>
      {/* The pictures first; the lesson's claim, checks and numbers below them. */}
      {/* The replay of the training under the views (replay/ReplayTimeline.tsx). */}
      <ReplayTimeline />
      <LessonCard onClose={onCloseLesson} />
      <div className="slice-row">
        <SliceView view={landscape} options={viewOptions} version={version} testId="slices" />
      </div>
    </section>
  );
});
