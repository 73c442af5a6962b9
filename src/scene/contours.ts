/**
 * Contour lines of a surface as 3D line segments lying on it (for a LineSegments geometry), and
 * in grid index space for the contour map. The extractor is pure marching squares in
 * core/surface/contours.ts (the surface worker runs it too); the scene and the views import it
 * from here.
 */
export { contourLevels, contourPositions, gridContourSegments } from "../core/surface/contours";
