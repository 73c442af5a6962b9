/**
 * Import this module before any other that defines a zod schema (the app's entry and the compute
 * worker do). Zod 4 compiles object schemas with `new Function` when it may; its probe for that
 * (a `new Function("")` in a try block) is blocked by the app's Content-Security-Policy, which
 * has no 'unsafe-eval', and every blocked probe is reported as a CSP violation. Jitless zod never
 * probes and validates the same way (the interpreter instead of generated code).
 */
import { z } from "zod";

z.config({ jitless: true });
