import { Line } from "@react-three/drei";
import { useEffect, useMemo } from "react";
import { BufferAttribute, BufferGeometry } from "three";
import { SURFACE_MATERIAL } from "./materials";

/**
 * Tiny copies of the scene's materials, drawn from the canvas's first frame (at page load), so
 * three.js compiles their shader programs then and not in the middle of the first landscape job
 * (compiling and linking on first use costs a 150-200 ms main-thread task under SwiftShader).
 * three.js caches programs by material parameters, so the real surface, contour and marker
 * materials reuse these programs. Scaled to nothing and never culled: invisible, but drawn.
 */
const WARM_LINE: [number, number, number][] = [
  [0, 0, 0],
  [1, 0, 0],
];
const WARM_COLORS: [number, number, number][] = [
  [1, 1, 1],
  [1, 1, 1],
];

let markWarm: () => void = () => {};
/**
 * Resolves once a canvas has drawn its warm-up frame (shaders compiled). The lab waits for it
 * (a few hundred ms at most) before its first job, so the compile task never lands inside a job.
 */
export const shadersWarm: Promise<void> = new Promise((resolve) => {
  markWarm = resolve;
});

export function ShaderWarmup() {
  useEffect(() => {
    // Two frames later the first frame, which compiled every program, has been drawn.
    let id = requestAnimationFrame(() => {
      id = requestAnimationFrame(() => markWarm());
    });
    return () => cancelAnimationFrame(id);
  }, []);
  const geometry = useMemo(() => {
    const g = new BufferGeometry();
    g.setAttribute("position", new BufferAttribute(new Float32Array([0, 0, 0, 1, 0, 0, 0, 0, 1]), 3));
    g.setAttribute("normal", new BufferAttribute(new Float32Array([0, 1, 0, 0, 1, 0, 0, 1, 0]), 3));
    g.setAttribute("color", new BufferAttribute(new Float32Array(9).fill(0.5), 3));
    g.setIndex(new BufferAttribute(new Uint32Array([0, 1, 2]), 1));
    return g;
  }, []);
  // Line geometries carry positions only (no normals): a different program variant.
  const lines = useMemo(() => {
    const g = new BufferGeometry();
    g.setAttribute("position", new BufferAttribute(new Float32Array([0, 0, 0, 1, 0, 0]), 3));
    return g;
  }, []);
  return (
    <group scale={1e-6}>
      <mesh geometry={geometry} frustumCulled={false}>
        <meshLambertMaterial {...SURFACE_MATERIAL} />
      </mesh>
      <lineSegments geometry={lines} frustumCulled={false}>
        <lineBasicMaterial color="#ffffff" transparent opacity={0.6} depthWrite={false} />
      </lineSegments>
      <mesh geometry={geometry} frustumCulled={false}>
        <meshLambertMaterial color="#ffffff" emissive="#555555" />
      </mesh>
      <mesh geometry={geometry} frustumCulled={false}>
        <meshBasicMaterial color="#ffffff" transparent opacity={0.85} />
      </mesh>
      <mesh geometry={geometry} frustumCulled={false}>
        <meshBasicMaterial color="#ffffff" />
      </mesh>
      {/* drei's Line (three's Line2 / LineMaterial): the floor frame, value axis, trajectory and 1-D curve. */}
      <Line points={WARM_LINE} color="#ffffff" lineWidth={1} frustumCulled={false} />
      <Line points={WARM_LINE} segments color="#ffffff" lineWidth={1} frustumCulled={false} />
      <Line points={WARM_LINE} vertexColors={WARM_COLORS} segments lineWidth={1} frustumCulled={false} />
    </group>
  );
}
