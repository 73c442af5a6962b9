/**
 * Names of the performance-timeline marks (performance.mark) the app sets, so benchmarks and
 * tests can read frame-exact times with performance.getEntriesByName(name):
 * - MARK_SAMPLING_START: a job started sampling its landscape;
 * - MARK_SURFACE_FRAME: the 3D view put on screen a frame showing new landscape values (set when
 *   the finished frame is copied to the visible canvas, PresentWhenDrawn.tsx); its detail is
 *   { done } (fine grid points done, 0 for the coarse picture).
 */
export const MARK_SAMPLING_START = "landscape:sampling-start";
export const MARK_SURFACE_FRAME = "landscape:surface-frame";
/** The lab started its first-use calibration of backend and evaluation path. */
export const MARK_CALIBRATION_START = "lab:calibration-start";
