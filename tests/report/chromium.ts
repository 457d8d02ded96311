// Headless Chromium (Debian's package) driven by playwright-core. A missing browser is a failure:
// .ci/install-chromium.sh installs it.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";

export async function launchChromium(): Promise<BrowserContext> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `${chromiumPath} is missing: run 'bash .ci/install-chromium.sh' (installs Debian's chromium)`,
    );
  }
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "atune-chromium-")), {
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
}
