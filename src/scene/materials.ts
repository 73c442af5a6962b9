import { DoubleSide } from "three";

/**
 * The surface mesh's material settings, shared by the surface and the shader warm-up: three.js
 * caches shader programs by these parameters, so both must be identical for the warm-up to help.
 */
export const SURFACE_MATERIAL = {
  vertexColors: true,
  side: DoubleSide,
  polygonOffset: true,
  polygonOffsetFactor: 1,
  polygonOffsetUnits: 1,
} as const;
