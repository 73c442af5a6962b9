/**
 * The surface worker: builds the 3D view's surface (mesh arrays, decimated index, contour lines,
 * bounding sphere) off the main thread, where a 201 x 201 grid took 30-130 ms per update. A thin
 * Comlink shell around src/core/surface/build.ts; src/compute/surface-bridge.ts keeps one running.
 * The values sent are copied (the page keeps filling them); the arrays built are transferred.
 */
import { expose, transfer } from "comlink";
import { buildSurface, type SurfaceBuild, type SurfaceRequest } from "../src/core/surface/build";
import { buffersOf } from "./transfer";

const api = {
  /** buildSurface's arrays, moved to the caller. */
  build(request: SurfaceRequest): SurfaceBuild {
    const built = buildSurface(request);
    return transfer(built, buffersOf(built));
  },
};

export type SurfaceApi = typeof api;

expose(api);
