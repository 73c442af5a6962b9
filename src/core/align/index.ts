/**
 * Permutation alignment of MLPs: reorder the hidden units of one network so that its weights line
 * up with another's (same function, closer parameters), by weight matching (Ainsworth et al. 2023).
 * Residual MLPs are handled: layers joined by a residual connection share one permutation.
 * ONNX models (MLPs and CNNs with BatchNorm): onnx-spec.ts derives a permutation spec (spec.ts)
 * from their graph: conv output channels as units, BN channels moved with them.
 *
 * @example const m = weightMatching(arch, thetaA, thetaB, { seed: 0 }); const alignedB = m.apply(thetaB);
 */
export {
  applyPermutations,
  assertPermutation,
  assertPermutations,
  identityPermutations,
  invertPermutation,
  matchingObjective,
  permutationGroups,
  randomPermutations,
} from "./permutation";
export { type WeightMatchingOptions, type WeightMatchingResult, weightMatching } from "./weight-matching";
