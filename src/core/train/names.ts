/** Optimizer names, in a module without tfjs so the main thread (controls, URL state) can import it. */
export const OPTIMIZERS = ["sgd", "momentum", "adam"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
