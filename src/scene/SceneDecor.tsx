/**
 * What frames a landscape in 3D: lights, the floor outline and the value axis line. The text
 * that goes with them is DOM (labels.ts, SceneLabels.tsx).
 */
import { Line } from "@react-three/drei";
import { SURFACE_HEIGHT } from "./geometry";

/** Ambient light carries most of the colour (the colormap must stay readable); the directional light shades slopes. */
export function Lights() {
  return (
    <>
      <ambientLight intensity={0.62 * Math.PI} />
      <directionalLight position={[1.2, 3, 1.6]} intensity={0.5 * Math.PI} />
    </>
  );
}

type Vec3 = [number, number, number];

const FLOOR_2D: Vec3[] = [
  [-1, 0, -1],
  [1, 0, -1],
  [1, 0, 1],
  [-1, 0, 1],
  [-1, 0, -1],
];
const FLOOR_1D: Vec3[] = [
  [-1, 0, 0],
  [1, 0, 0],
];
const FRAME_COLOR = "#5a6678";

/** Floor square of a 2-D grid and the value axis at the front-left corner (-1, 1). */
export function Frame2D({ exaggeration }: { exaggeration: number }) {
  const top = SURFACE_HEIGHT * exaggeration;
  return (
    <group>
      <Line points={FLOOR_2D} color={FRAME_COLOR} lineWidth={1} />
      <ValueAxis x={-1} z={1} top={top} />
    </group>
  );
}

/** Baseline of a 1-D curve and its value axis on the left. */
export function Frame1D({ exaggeration }: { exaggeration: number }) {
  const top = SURFACE_HEIGHT * exaggeration;
  return (
    <group>
      <Line points={FLOOR_1D} color={FRAME_COLOR} lineWidth={1} />
      <ValueAxis x={-1.05} z={0} top={top} />
    </group>
  );
}

/** Vertical line from the floor to the top of the scale with ticks at t = 0, 0.5, 1. */
function ValueAxis({ x, z, top }: { x: number; z: number; top: number }) {
  const tick = 0.03;
  const points: Vec3[] = [
    [x, 0, z],
    [x, top, z],
  ];
  for (const t of [0, 0.5, 1]) points.push([x - tick, t * top, z], [x, t * top, z]);
  return <Line points={points} segments color={FRAME_COLOR} lineWidth={1} />;
}
