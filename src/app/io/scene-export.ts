/**
 * Exports of the drawn 3D view (registered by the scene in src/scene/export-registry.ts):
 *
 * - glTF binary of the surface mesh as drawn: one vertex per grid point in the view's world frame
 *   (x and z span [-1, 1], y is the height), its normals and vertex colours (linear RGB, the
 *   colormap as shown), the drawn triangles only (cells with four finite corners), a matte
 *   MeshStandardMaterial, and in its node's extras (where GLTFExporter writes an object's
 *   userData) the metric, grid axes, colour/height scale and how world coordinates map back to
 *   grid coordinates. three's GLTFExporter (binary: true).
 * - PNG of the view at a multiple of its on-screen size: the renderer is resized (drawing buffer
 *   only, the page layout stays), renders once, the canvas is encoded with toBlob (the canvas
 *   keeps its drawing buffer, preserveDrawingBuffer), and the size is restored. This works in
 *   headless Chromium (SwiftShader WebGL) as on a GPU. The HTML overlays (axis labels, legend)
 *   are not part of the canvas, so not of the image.
 */
import {
  type BufferAttribute,
  BufferGeometry,
  DoubleSide,
  Float32BufferAttribute,
  Mesh,
  MeshStandardMaterial,
  Scene,
  Uint32BufferAttribute,
  Vector2,
} from "three";
import type { SceneHandle } from "../../scene/export-registry";
import { SURFACE_HEIGHT } from "../../scene/geometry";

/** A copy of the drawn surface: every vertex, and the index up to the draw range. */
function drawnGeometry(source: BufferGeometry): BufferGeometry {
  const geometry = new BufferGeometry();
  for (const name of ["position", "normal", "color"]) {
    const a = source.getAttribute(name) as BufferAttribute | undefined;
    if (!a) throw new Error(`the surface mesh has no ${name} attribute`);
    geometry.setAttribute(
      name,
      new Float32BufferAttribute(Float32Array.from(a.array as Float32Array), a.itemSize),
    );
  }
  const index = source.index;
  if (!index) throw new Error("the surface mesh has no index");
  const count = Math.min(index.count, source.drawRange.count);
  if (!(count > 0)) throw new Error("the surface has no drawn cell yet");
  geometry.setIndex(
    new Uint32BufferAttribute(Uint32Array.from((index.array as Uint32Array).subarray(0, count)), 1),
  );
  return geometry;
}

/**
 * The view's surface as a glTF binary (.glb). Throws when no 2-D surface is drawn.
 *
 * @example const glb = await surfaceGlb(sceneHandle(CURRENT_VIEW)); // ArrayBuffer starting with "glTF"
 */
export async function surfaceGlb(handle: SceneHandle | null): Promise<ArrayBuffer> {
  const surface = handle?.surface;
  if (!surface) throw new Error("no 3D surface is drawn: open the 3D surface tab of a 2-D landscape");
  const info = surface.describe();
  const geometry = drawnGeometry(surface.mesh.geometry as BufferGeometry);
  const material = new MeshStandardMaterial({
    name: "surface_colours",
    vertexColors: true,
    side: DoubleSide,
    roughness: 1,
    metalness: 0,
  });
  try {
    const mesh = new Mesh(geometry, material);
    mesh.name = info.metric;
    surface.mesh.updateWorldMatrix(true, false);
    mesh.applyMatrix4(surface.mesh.matrixWorld);
    const [x, y] = info.axes;
    // glTF extras: plain JSON only (GLTFExporter warns about anything else).
    mesh.userData = {
      metric: info.metric,
      axes: info.axes.map((a) => ({ label: a.label, min: a.min, max: a.max, count: a.count })),
      colourScale: { transform: info.scale.log ? "log10" : "linear", lo: info.scale.lo, hi: info.scale.hi },
      colormap: info.colormap,
      exaggeration: info.exaggeration,
      frame:
        `vertex k = iy * ${x.count} + ix is grid point (ix, iy); world x = -1 + 2 (gx - ${x.min}) / (${x.max} - ${x.min}), ` +
        `world z = 1 - 2 (gy - ${y?.min}) / (${y?.max} - ${y?.min}), world y = t * ${info.exaggeration} * ${SURFACE_HEIGHT} ` +
        `with t = (v' - lo) / (hi - lo) clipped to [0, 1], v' = ${info.scale.log ? "log10(value)" : "value"}; ` +
        "grid points whose value is not finite are vertices of no triangle",
    };
    const scene = new Scene();
    scene.name = "loss landscape";
    scene.add(mesh);
    const { GLTFExporter } = await import("three/examples/jsm/exporters/GLTFExporter.js");
    const result = await new GLTFExporter().parseAsync(scene, { binary: true });
    if (!(result instanceof ArrayBuffer)) throw new Error("the glTF exporter did not return binary data");
    return result;
  } finally {
    geometry.dispose();
    material.dispose();
  }
}

/** The largest drawing buffer this renderer allows (width and height). */
function maxDrawingSize(gl: WebGLRenderingContext | WebGL2RenderingContext): number {
  const dims = gl.getParameter(gl.MAX_VIEWPORT_DIMS) as Int32Array | null;
  const renderbuffer = gl.getParameter(gl.MAX_RENDERBUFFER_SIZE) as number | null;
  return Math.min(dims?.[0] ?? 4096, dims?.[1] ?? 4096, renderbuffer ?? 4096);
}

/**
 * The PNG's pixel size for `scale` times the view's on-screen size, shrunk (keeping the aspect)
 * to fit `max` pixels a side.
 *
 * @example pngSize(640, 480, 4, 2048); // { width: 2048, height: 1536, limited: true }
 */
export function pngSize(
  cssWidth: number,
  cssHeight: number,
  scale: number,
  max: number,
): { width: number; height: number; limited: boolean } {
  let width = Math.max(1, Math.round(cssWidth * scale));
  let height = Math.max(1, Math.round(cssHeight * scale));
  const shrink = Math.min(1, max / width, max / height);
  if (shrink < 1) {
    width = Math.max(1, Math.floor(width * shrink));
    height = Math.max(1, Math.floor(height * shrink));
  }
  return { width, height, limited: shrink < 1 };
}

/**
 * The 3D view rendered at `scale` times its on-screen size, as PNG. Resolves with the image and
 * its size; `limited` says the GPU's maximum size made it smaller.
 */
export async function viewPng(
  handle: SceneHandle | null,
  scale: number,
): Promise<{ blob: Blob; width: number; height: number; limited: boolean }> {
  if (!handle) throw new Error("no 3D view is drawn: open the 3D surface tab");
  const { gl, scene, camera, invalidate } = handle.three();
  const css = gl.getSize(new Vector2());
  const ratio = gl.getPixelRatio();
  const size = pngSize(css.x, css.y, scale, maxDrawingSize(gl.getContext()));
  try {
    gl.setPixelRatio(1);
    gl.setSize(size.width, size.height, false);
    gl.render(scene, camera);
    const blob = await new Promise<Blob | null>((resolve) => gl.domElement.toBlob(resolve, "image/png"));
    if (!blob) throw new Error(`the ${size.width} x ${size.height} image could not be encoded as PNG`);
    return { blob, ...size };
  } finally {
    gl.setPixelRatio(ratio);
    gl.setSize(css.x, css.y, false);
    invalidate();
  }
}
