/**
 * Recording the replay: the Record panel under the views writes the replay of an optimizer race as
 * a video (WebM here, through WebCodecs and mediabunny) and as an animated GIF (gifenc), at the
 * requested size, frame rate and frame count, with progress and Cancel. The video's container is
 * parsed with mediabunny (frame count, size) and its frames decoded in the page (WebCodecs) to
 * show that they differ; the GIF is decoded with omggif.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from "mediabunny";
import { GifReader } from "omggif";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { unexpectedProblems } from "./browser";
import { artifactsDir, openWithSnapshot, writeRaceSnapshot } from "./replay-page";

const skipReason = inject("e2eSkipReason");

interface Settings {
  what?: "replay" | "turn";
  format: "webm" | "mp4" | "gif";
  size: string;
  fps: number;
  frames: number;
}

async function fill(page: Page, s: Settings): Promise<void> {
  const panel = page.getByTestId("record-panel");
  if (!(await panel.isVisible())) await page.getByTestId("replay-record").click();
  await page.getByTestId("record-what").selectOption(s.what ?? "replay");
  await page.getByTestId("record-format").selectOption(s.format);
  await page.getByTestId("record-size").selectOption(s.size);
  await page.getByTestId("record-fps").selectOption(String(s.fps));
  await page.getByTestId("record-frames").fill(String(s.frames));
}

/** Records with these settings; returns the downloaded file's bytes. */
async function recordFile(page: Page, s: Settings, name: string): Promise<Uint8Array> {
  await fill(page, s);
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 120_000 }),
    page.getByTestId("record-start").click(),
  ]);
  const file = join(artifactsDir, name);
  await download.saveAs(file);
  return new Uint8Array(readFileSync(file));
}

/** Decodes the packets in the page (WebCodecs) and returns a hash of each frame's pixels. */
async function decodedFrameHashes(
  page: Page,
  config: { codec: string; codedWidth: number; codedHeight: number; description?: string },
  packets: { type: string; timestamp: number; data: string }[],
): Promise<string[]> {
  return page.evaluate(
    async ({ config, packets }) => {
      const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const hashes: string[] = [];
      const canvas = new OffscreenCanvas(config.codedWidth, config.codedHeight);
      const ctx = canvas.getContext("2d", { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;
      const decoder = new VideoDecoder({
        output: (frame) => {
          ctx.drawImage(frame, 0, 0);
          frame.close();
          const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          let h = 2166136261;
          for (let i = 0; i < data.length; i += 4) h = Math.imul(h ^ (data[i] + 3 * data[i + 1]), 16777619);
          hashes.push((h >>> 0).toString(16));
        },
        error: (e) => {
          throw e;
        },
      });
      decoder.configure({
        codec: config.codec,
        codedWidth: config.codedWidth,
        codedHeight: config.codedHeight,
        ...(config.description ? { description: bytes(config.description) } : {}),
      });
      for (const p of packets) {
        decoder.decode(
          new EncodedVideoChunk({
            type: p.type as EncodedVideoChunkType,
            timestamp: p.timestamp,
            data: bytes(p.data),
          }),
        );
      }
      await decoder.flush();
      decoder.close();
      return hashes;
    },
    { config, packets },
  );
}

describe.skipIf(skipReason !== "")("recording the replay", () => {
  let file = "";
  beforeAll(async () => {
    ({ file } = await writeRaceSnapshot("race-recording.json"));
  }, 120_000);

  it("writes a WebM video and a GIF with the requested frames and size, and cancels", async () => {
    const session = await openWithSnapshot(file);
    try {
      const { page } = session;

      // Video: the container parses with mediabunny; frame count, size; frames differ.
      const webm = await recordFile(
        page,
        { format: "webm", size: "320x240", fps: 10, frames: 8 },
        "replay.webm",
      );
      const input = new Input({ source: new BufferSource(webm), formats: ALL_FORMATS });
      expect((await input.getFormat()).name).toMatch(/webm|matroska/i);
      const track = await input.getPrimaryVideoTrack();
      if (!track) throw new Error("no video track");
      expect([track.displayWidth, track.displayHeight]).toEqual([320, 240]);
      const stats = await track.computePacketStats();
      expect(stats.packetCount).toBe(8);
      expect(stats.averagePacketRate).toBeCloseTo(10, 0);
      const decoderConfig = await track.getDecoderConfig();
      if (!decoderConfig) throw new Error("no decoder config");
      const sink = new EncodedPacketSink(track);
      const packets: { type: string; timestamp: number; data: string }[] = [];
      for await (const p of sink.packets()) {
        packets.push({
          type: p.type,
          timestamp: Math.round(p.timestamp * 1e6),
          data: Buffer.from(p.data).toString("base64"),
        });
      }
      const description = decoderConfig.description
        ? Buffer.from(decoderConfig.description as ArrayBuffer).toString("base64")
        : undefined;
      const hashes = await decodedFrameHashes(
        page,
        { codec: decoderConfig.codec, codedWidth: 320, codedHeight: 240, description },
        packets,
      );
      expect(hashes).toHaveLength(8);
      expect(new Set(hashes).size).toBeGreaterThan(4);
      expect(await page.getByTestId("record-done").textContent()).toMatch(
        /loss-landscape-replay-320x240\.webm/,
      );

      // GIF: decodes with omggif, the requested frames and size, frames not all the same.
      const gifBytes = await recordFile(
        page,
        { format: "gif", size: "320x240", fps: 12, frames: 6 },
        "replay.gif",
      );
      const gif = new GifReader(gifBytes);
      expect([gif.width, gif.height, gif.numFrames()]).toEqual([320, 240, 6]);
      const rgba = new Uint8Array(320 * 240 * 4);
      const frames = Array.from({ length: 6 }, (_, i) => {
        gif.decodeAndBlitFrameRGBA(i, rgba);
        return Buffer.from(rgba).toString("base64");
      });
      expect(new Set(frames).size).toBeGreaterThan(3);
      expect(gif.frameInfo(0).delay).toBe(8); // 1/12 s in hundredths

      // MP4 (H.264 when the browser encodes it) parses too, with the requested frames and size.
      const mp4 = await recordFile(
        page,
        { format: "mp4", size: "320x240", fps: 10, frames: 5 },
        "replay.mp4",
      );
      const mp4Input = new Input({ source: new BufferSource(mp4), formats: ALL_FORMATS });
      expect((await mp4Input.getFormat()).name).toMatch(/mp4/i);
      const mp4Track = await mp4Input.getPrimaryVideoTrack();
      expect([mp4Track?.displayWidth, mp4Track?.displayHeight]).toEqual([320, 240]);
      expect((await mp4Track?.computePacketStats())?.packetCount).toBe(5);

      // A turn around the still surface: every frame shows it from another side.
      const turn = new GifReader(
        await recordFile(
          page,
          { what: "turn", format: "gif", size: "320x240", fps: 10, frames: 4 },
          "turn.gif",
        ),
      );
      expect(turn.numFrames()).toBe(4);
      const turnFrames = Array.from({ length: 4 }, (_, i) => {
        turn.decodeAndBlitFrameRGBA(i, rgba);
        return Buffer.from(rgba).toString("base64");
      });
      expect(new Set(turnFrames).size).toBe(4);

      // Cancel stops a long recording and writes nothing.
      const indexBefore = await page.getByTestId("replay-timeline").getAttribute("data-index");
      await fill(page, { what: "turn", format: "webm", size: "320x240", fps: 10, frames: 300 });
      let downloads = 0;
      page.on("download", () => downloads++);
      await page.getByTestId("record-start").click();
      const progress = page.getByTestId("record-progress");
      await expect
        .poll(async () => Number(await progress.getAttribute("value")), { timeout: 30_000 })
        .toBeGreaterThan(1);
      await page.getByTestId("record-cancel").click();
      await page.getByTestId("record-start").waitFor({ timeout: 20_000 });
      expect(downloads).toBe(0);
      expect(await page.getByTestId("record-error").count()).toBe(0);
      // The replay is back where it was (a turn leaves the timeline alone).
      expect(await page.getByTestId("replay-timeline").getAttribute("data-index")).toBe(indexBefore);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 300_000);
});
