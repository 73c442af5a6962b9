/**
 * What each control changes in the picture, for its tooltip (Field.tsx: the property table's
 * `help`, then "In the picture: ..."). One entry per setting of the property table
 * (tests/unit/classroom.test.ts requires them all). The experiment settings change the
 * picture after Run; the view settings change it at once.
 */
import type { SettingKey } from "../../state/properties";

const AFTER_RUN = "(after Run)";

export const PICTURE_EFFECTS: Record<SettingKey, string> = {
  ds: `a new problem, so a new landscape; the data plot on the right shows its points ${AFTER_RUN}`,
  n: `more points make the loss smoother and the surface less noisy ${AFTER_RUN}`,
  nt: `the test-loss surfaces (Surface: test loss) come from these points; 0 leaves them out ${AFTER_RUN}`,
  noise: `noisier data is harder to fit: the basin floor sits higher ${AFTER_RUN}`,
  lnoise: `flipped labels are memorized late, in sharper (narrower) minima ${AFTER_RUN}`,
  factor: `how close the two circles lie: a harder problem shows a higher floor ${AFTER_RUN}`,
  arms: `more arms, more classes: a harder problem ${AFTER_RUN}`,
  turns: `more turns wind the spirals tighter: a harder problem ${AFTER_RUN}`,
  classes: `more blobs, more classes ${AFTER_RUN}`,
  spread: `wider blobs overlap more: the floor sits higher ${AFTER_RUN}`,
  freq: `a wigglier curve to fit ${AFTER_RUN}`,
  coef: `the curve the model fits ${AFTER_RUN}`,
  dseed: `other data points, the same kind of problem ${AFTER_RUN}`,
  hid: `the network's size: wider networks tend to sit in wider basins ${AFTER_RUN}`,
  act: `ReLU surfaces have kinks (units switching on and off); tanh ones are smoother ${AFTER_RUN}`,
  res: `skip connections make the surface smoother and more bowl-shaped ${AFTER_RUN}`,
  init: `where training starts, so which minimum it finds ${AFTER_RUN}`,
  iseed: `another starting point: another minimum at the centre ${AFTER_RUN}`,
  seed: `data, starting point, batch order and directions all change together ${AFTER_RUN}`,
  opt: `which minimum training ends in (the centre of the picture) and how sharp it is ${AFTER_RUN}`,
  lr: `large steps cannot settle in sharp minima: a larger rate tends to end in a flatter basin ${AFTER_RUN}`,
  bs: `small batches add noise that keeps training out of the sharpest minima ${AFTER_RUN}`,
  ep: `how long training runs: the centre moves further down into its basin ${AFTER_RUN}`,
  ckpt: `how many points the training path (PCA directions) has ${AFTER_RUN}`,
  mom: `momentum changes which minimum training reaches ${AFTER_RUN}`,
  sam: `SAM seeks flat minima: the basin around the centre widens ${AFTER_RUN}`,
  shp: `adds the lambda_max chart on the right (how sharp the minimum is during training) ${AFTER_RUN}`,
  b1: `Adam's averaging of gradients: where training ends ${AFTER_RUN}`,
  b2: `Adam's averaging of squared gradients: where training ends ${AFTER_RUN}`,
  eps: `Adam's step guard: where training ends ${AFTER_RUN}`,
  wd: `pulls the weights towards zero: a smaller, usually smoother minimum ${AFTER_RUN}`,
  steps: `stops training early: the centre may not be at the bottom yet ${AFTER_RUN}`,
  tseed: `another batch order: another path and possibly another minimum ${AFTER_RUN}`,
  shps: `how many samples the lambda_max chart measures on ${AFTER_RUN}`,
  dir: `which plane through the trained point is shown: random, the training path, or the sharpest and flattest curvature directions ${AFTER_RUN}`,
  norm: `how the directions are scaled: filter normalization makes pictures of different networks comparable ${AFTER_RUN}`,
  bias: `whether moving across the plane also moves the biases ${AFTER_RUN}`,
  xseed: `another random x direction: another slice through the same minimum ${AFTER_RUN}`,
  yseed: `another random y direction: another slice through the same minimum ${AFTER_RUN}`,
  gx: `how far the picture reaches along x and how finely it is sampled ${AFTER_RUN}`,
  gy: `how far the picture reaches along y and how finely; off draws a curve instead of a surface ${AFTER_RUN}`,
  metric: "which number the height and the colours show (train or test, loss or accuracy), at once",
  log: "heights and colours follow the logarithm, so low and high losses both show detail, at once",
  exag: "stretches the 3D surface vertically to make small bumps visible, at once",
  clip: "cuts off the highest values (the legend's ≥) so one spike does not flatten the rest, at once",
  cont: "how many contour lines are drawn on the surface and the map, at once",
  wire: "draws the grid lines of the mesh over the 3D surface, at once",
  cmap: "the colours of the surface, the map and the legend, at once",
};

/** The tooltip of a setting's control: its help, then what it changes in the picture. */
export function controlTooltip(key: SettingKey, help: string): string {
  return `${help}. In the picture: ${PICTURE_EFFECTS[key]}.`;
}
