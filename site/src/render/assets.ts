import { createHash } from "node:crypto";

/**
 * Collects binary outputs (PNG, SVG, attachments) as files named by content
 * hash, so pages stay light, identical images are stored once, and browsers
 * can cache them.
 */
export class AssetSink {
  readonly files = new Map<string, Buffer>();

  /** Stores the bytes and returns the page-relative URL. */
  add(data: Buffer, extension: string): string {
    const hash = createHash("sha256").update(data).digest("hex").slice(0, 16);
    const path = `assets/img/${hash}.${extension}`;
    this.files.set(path, data);
    return path;
  }
}
