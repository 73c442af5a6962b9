/**
 * The one place core imports tfjs from: the umbrella package, which registers every gradient
 * (tfjs-core's Node bundle alone registers none) and the cpu backend. The wasm backend is
 * registered by backend.ts.
 */
export * as tf from "@tensorflow/tfjs";
