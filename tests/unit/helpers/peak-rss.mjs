/**
 * Preloaded (node --import) into a CLI process by cli-measured.ts: when the process exits, however
 * it exits, writes its peak resident memory (getrusage's ru_maxrss: the process with all its
 * threads, the HDF5 worker thread included) and the CPU time it used (user + system) to the file
 * named by LANDSCAPE_PEAK_RSS_FILE.
 */
import { writeFileSync } from "node:fs";

const file = process.env.LANDSCAPE_PEAK_RSS_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({ maxRssKb: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime }),
    );
  });
}
