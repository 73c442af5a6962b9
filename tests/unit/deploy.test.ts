/**
 * The deployment files, checked as far as a machine without Slurm, Kubernetes or Docker allows:
 * the Kubernetes Jobs against the batch/v1 Job JSON schema (vendored: fixtures/kubernetes), the
 * shape of the Indexed Job, the Slurm script's syntax (bash -n) and the scheduler variables it
 * reads, and the Dockerfile's stages against the repository and node_modules. The scripts and
 * Job arguments are run for real in cli-shards.test.ts. Also: the README documents every option of
 * the sharding commands.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import Ajv from "ajv";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { registerShardCommands } from "../../src/cli/shard-commands";
import { ROOT } from "./helpers/cli";

const read = (...p: string[]) => readFileSync(path.join(ROOT, ...p), "utf8");

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked freely by the assertions
type Json = Record<string, any>;
const docs: Json[] = parseAllDocuments(read("public", "deploy", "k8s", "landscape-job.yaml")).map((d) =>
  d.toJS(),
);
const job = (name: string) => {
  const found = docs.find((d) => d.kind === "Job" && d.metadata?.name === name);
  if (!found) throw new Error(`no Job ${name}`);
  return found;
};

/** The vendored batch/v1 Job schema (see fixtures/kubernetes/README.md: without its descriptions), compiled. */
function jobSchema() {
  const text = gunzipSync(
    readFileSync(path.join(ROOT, "tests", "unit", "fixtures", "kubernetes", "job-batch-v1.json.gz")),
  );
  const schema = JSON.parse(text.toString("utf8"));
  // Its "$schema" names no draft ajv knows; the keywords are draft-04 compatible. Formats
  // (int32, int64, date-time) and x-kubernetes-* annotations are not checked.
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  return { validate: ajv.compile(schema), sha256: createHash("sha256").update(text).digest("hex") };
}

describe("public/deploy/k8s/landscape-job.yaml", () => {
  const { validate, sha256 } = jobSchema();

  it("uses the vendored Job schema noted in the fixture's README", () => {
    expect(sha256).toBe("f07866e8f0c49d3a5b7ab1c91f601dc0e843148bf61bc08824e624e5cd862517");
    expect(read("tests", "unit", "fixtures", "kubernetes", "README.md")).toContain(sha256);
  });

  it.each(["landscape-plan", "landscape-shards", "landscape-merge"])(
    "has a Job %s valid against the batch/v1 Job schema",
    (name) => {
      const ok = validate(job(name));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    },
  );

  it("would be caught misspelling a field (the schema is strict)", () => {
    const bad = structuredClone(job("landscape-shards"));
    bad.spec.completionsMode = bad.spec.completionMode;
    expect(validate(bad)).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({
      instancePath: "/spec",
      params: { additionalProperty: "completionsMode" },
    });
  });

  it("runs the shards as an Indexed Job with completions = the plan's shard count, on one shared volume", () => {
    const plan = job("landscape-plan");
    const shards = job("landscape-shards");
    const merge = job("landscape-merge");
    const planArgs: string[] = plan.spec.template.spec.containers[0].args;
    const count = Number(planArgs[planArgs.indexOf("--shards") + 1]);
    expect(count).toBeGreaterThan(1);
    expect(shards.spec).toMatchObject({
      completionMode: "Indexed",
      completions: count,
      parallelism: count,
      suspend: true,
    });
    expect(shards.spec.template.spec.restartPolicy).toBe("Never");
    expect(shards.spec.backoffLimitPerIndex).toBeGreaterThan(0);
    expect(merge.spec.suspend).toBe(true);
    // Every pod: the CLI image, the same claim at /data; the shard takes its index from JOB_COMPLETION_INDEX.
    const claim = docs.find((d) => d.kind === "PersistentVolumeClaim");
    expect(claim?.spec.accessModes).toEqual(["ReadWriteMany"]);
    const version = JSON.parse(read("package.json")).version;
    for (const j of [plan, shards, merge]) {
      const pod = j.spec.template.spec;
      expect(pod.containers[0].image).toBe(`loss-landscape-lab:${version}`);
      const data = pod.volumes.find((v: Json) => v.persistentVolumeClaim);
      expect(data.persistentVolumeClaim.claimName).toBe(claim?.metadata.name);
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: data.name, mountPath: "/data" });
    }
    expect(shards.spec.template.spec.containers[0].args).toEqual([
      "shard",
      "/data/plan.json",
      "--no-progress",
    ]);
    expect(merge.spec.template.spec.containers[0].args.slice(0, 2)).toEqual(["merge", "/data/plan.json"]);
    expect(planArgs.slice(0, 1)).toEqual(["plan"]);
    expect(planArgs[planArgs.indexOf("--out") + 1]).toBe("/data/plan.json");
  });
});

describe("public/deploy/slurm/landscape.sbatch", () => {
  const script = read("public", "deploy", "slurm", "landscape.sbatch");

  it("passes bash -n", async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        "bash",
        ["-n", path.join(ROOT, "public", "deploy", "slurm", "landscape.sbatch")],
        (error, _out, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      ),
    );
    expect(result).toEqual({ code: 0, stderr: "" });
  });

  it("reads only the array variables the CLI documents: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT", () => {
    const used = new Set(script.match(/\bSLURM_[A-Z_]+/g));
    expect([...used].sort()).toEqual(["SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_ID"]);
    // The only one the script itself reads (the CLI reads both): as a condition, not as a value.
    const code = script
      .split("\n")
      .filter((l) => !l.trimStart().startsWith("#"))
      .join("\n");
    expect(code.match(/\bSLURM_[A-Z_]+/g)).toEqual(["SLURM_ARRAY_TASK_ID"]);
  });

  it("asks Slurm to requeue a preempted task, which then resumes from its part", () => {
    expect(script).toMatch(/^#SBATCH --requeue$/m);
    expect(script).toMatch(/exec "\$\{landscape\[@\]\}" shard "\$plan"/);
    expect(script).toMatch(/--dependency="afterany:/);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const lines = dockerfile.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));

  it("builds on Node 20 slim: npm ci --omit=dev for the runtime, the kernel built in a build stage", () => {
    expect(lines.filter((l) => l.startsWith("FROM "))).toEqual([
      "FROM node:20-slim AS build",
      "FROM node:20-slim",
    ]);
    expect(dockerfile).toContain("RUN npm ci --omit=dev --ignore-scripts");
    expect(dockerfile).toContain("RUN node src/core/kernel/build.mjs");
    expect(dockerfile).toContain(
      "COPY --from=build /app/src/core/kernel/kernel-wasm.generated.ts ./src/core/kernel/",
    );
    expect(read(".dockerignore").split("\n")).toContain("node_modules");
  });

  it("copies only what exists: the repository's files, and tsx with every dependency from the build stage", () => {
    for (const line of lines.filter((l) => l.startsWith("COPY "))) {
      const parts = line.split(/\s+/).slice(1);
      const from = parts[0].startsWith("--from=") ? parts.shift() : undefined;
      const sources = parts.slice(0, -1);
      for (const source of sources) {
        // The build stage's /app is this checkout after npm ci and the kernel build.
        const local = from ? source.replace(/^\/app\//, "") : source;
        expect(existsSync(path.join(ROOT, local)), `${line}: ${local}`).toBe(true);
      }
    }
    const tsx = JSON.parse(read("node_modules", "tsx", "package.json"));
    for (const dep of Object.keys(tsx.dependencies ?? {})) {
      expect(dockerfile).toContain(`COPY --from=build /app/node_modules/${dep} ./node_modules/${dep}`);
    }
    expect(dockerfile).toContain("COPY --from=build /app/node_modules/@esbuild ./node_modules/@esbuild");
    const entry = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(dockerfile)?.[1] ?? "[]") as string[];
    expect(entry).toEqual([
      "node",
      "--import",
      "/app/node_modules/tsx/dist/loader.mjs",
      "/app/src/cli/main.ts",
    ]);
    expect(existsSync(path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs"))).toBe(true);
    expect(JSON.parse(read("node_modules", "tsx", "package.json")).exports["."]).toBe("./dist/loader.mjs");
  });
});

describe("README", () => {
  const readme = read("README.md");
  const section = (title: string) => {
    const start = readme.indexOf(`\n## ${title}\n`);
    expect(start, title).toBeGreaterThan(0);
    const end = readme.indexOf("\n## ", start + 1);
    return readme.slice(start, end < 0 ? undefined : end);
  };

  it("documents plan, shard, merge and status with every option, and compute's --resume and --workers", () => {
    const program = new Command();
    registerShardCommands(program);
    const beyond = section("Beyond one machine");
    const cli = section("The CLI");
    // Options plan shares with compute are documented in compute's table.
    const shared = new Set(["--config", "--data", "--labels", "--model", "--from"]);
    for (const name of ["plan", "shard", "merge", "status"]) {
      const command = program.commands.find((c) => c.name() === name);
      expect(command, name).toBeDefined();
      expect(cli).toContain(`| \`${name} `);
      for (const option of command?.options ?? []) {
        const flag = option.long as string;
        if (shared.has(flag)) {
          expect(cli, `${name} ${flag}`).toContain(`| \`${flag} `);
          expect(beyond, `${name} ${flag}`).toContain(`\`${flag}\``);
        } else {
          expect(beyond, `${name} ${flag}`).toMatch(new RegExp(`\\| \`${name}\` +\\| \`${flag}[ \`]`));
        }
      }
    }
    expect(cli).toMatch(/^\| `--resume` +\|/m);
    expect(cli).toMatch(/^\| `--workers N` +\|/m);
    // The recipes: Slurm, Kubernetes, and how to resume.
    for (const text of [
      "**On Slurm**",
      "sbatch --array=",
      "**On Kubernetes**",
      "kubectl apply -f public/deploy/k8s/landscape-job.yaml",
      "**Resuming and retrying.**",
      "missing shards: ",
    ]) {
      expect(beyond).toContain(text);
    }
  });
});
