/**
 * Runs one shell command in a bubblewrap sandbox.
 *
 * The sandbox sees a read-only /usr (and the /bin, /lib… links to it), a synthetic /etc with one
 * user, a private /proc, /dev and a small tmpfs /tmp, no network, and exactly one writable
 * directory: the episode's work directory, mounted at /home/user. Nothing of the host's /root,
 * /home, /work or /tmp is bound. Limits: CPU seconds, address space, processes and file size
 * through `ulimit` inside, and a wall-clock timeout that kills the whole sandbox from outside.
 *
 * RLIMIT_NPROC is not enforced for the real root user, so when atune runs as root the sandbox is
 * started under an unprivileged uid (SANDBOX_HOST_UID) and the work directory is chowned to it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chownSync, existsSync, lstatSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";

/** The uid/gid the sandbox runs under on the host when atune itself runs as root. */
export const SANDBOX_HOST_UID = 65534;
/** The sandbox's view: one user, "user", uid 1000, home /home/user. */
export const SANDBOX_HOME = "/home/user";

export interface SandboxLimits {
  /** Wall-clock limit; the sandbox is killed when it is reached. */
  wallMs: number;
  cpuSeconds: number;
  /** Address space per process, in KiB. */
  memoryKb: number;
  processes: number;
  /** Largest file a command may write, in KiB. */
  fileKb: number;
  /** Output kept from stdout+stderr; past it the sandbox is killed (a `yes` flood ends at once). */
  outputBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  wallMs: 5000,
  cpuSeconds: 5,
  memoryKb: 1_000_000,
  processes: 64,
  fileKb: 10_000,
  outputBytes: 1 << 20,
};

export interface CommandResult {
  /** stdout and stderr interleaved, at most `outputBytes` of it. */
  output: string;
  /** The shell's exit code; null when the sandbox was killed. */
  exitCode: number | null;
  timedOut: boolean;
  /** The output went past `outputBytes` and the command was stopped there. */
  outputLimitHit: boolean;
  durationMs: number;
}

/** bubblewrap is missing or cannot create namespaces here: says what and how to fix it. */
export class SandboxUnavailableError extends Error {}

/**
 * The synthetic /etc files, handed to bwrap through pipes (`--ro-bind-data FD`), so nothing is
 * written on the host: file descriptor 3 carries /etc/passwd, 4 /etc/group, 5 /etc/hostname.
 */
const etcFiles: Array<{ fd: number; path: string; content: string }> = [
  {
    fd: 3,
    path: "/etc/passwd",
    content: "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000:user:/home/user:/bin/bash\n",
  },
  { fd: 4, path: "/etc/group", content: "root:x:0:\nuser:x:1000:\n" },
  { fd: 5, path: "/etc/hostname", content: "sandbox\n" },
];

/** The top-level system paths bash and coreutils need: links are recreated, directories bound read-only. */
function systemBinds(): string[] {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const path of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    if (!existsSync(path)) continue;
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(path), path);
    else if (stat.isDirectory()) args.push("--ro-bind", path, path);
  }
  return args;
}

function bwrapArgs(workDir: string, command: string, limits: SandboxLimits): string[] {
  const ulimits = [
    `ulimit -t ${limits.cpuSeconds}`,
    `ulimit -v ${limits.memoryKb}`,
    `ulimit -u ${limits.processes}`,
    `ulimit -f ${limits.fileKb}`,
  ].join(" && ");
  return [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    ...systemBinds(),
    "--dir",
    "/etc",
    ...etcFiles.flatMap((file) => ["--ro-bind-data", String(file.fd), file.path]),
    "--ro-bind-try",
    "/etc/alternatives",
    "/etc/alternatives",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--size",
    String(16 << 20),
    "--tmpfs",
    "/tmp",
    "--bind",
    workDir,
    SANDBOX_HOME,
    "--chdir",
    SANDBOX_HOME,
    "--remount-ro",
    "/",
    "--uid",
    "1000",
    "--gid",
    "1000",
    "--hostname",
    "sandbox",
    "--clearenv",
    "--setenv",
    "PATH",
    "/usr/local/bin:/usr/bin:/bin",
    "--setenv",
    "HOME",
    SANDBOX_HOME,
    "--setenv",
    "USER",
    "user",
    "--setenv",
    "LANG",
    "C.UTF-8",
    "--setenv",
    "TERM",
    "dumb",
    "/bin/bash",
    "-c",
    // The limits apply to the command's shell and everything it starts; $1 is the command, untouched.
    `${ulimits} && exec /bin/bash -c "$1" 2>&1`,
    "atune-sandbox",
    command,
  ];
}

const runningAsRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** Makes a host directory (and everything in it) writable by the sandbox user. */
export function handToSandbox(path: string): void {
  if (!runningAsRoot()) return;
  chownSync(path, SANDBOX_HOST_UID, SANDBOX_HOST_UID);
  if (!lstatSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) handToSandbox(join(path, entry));
}

function killSandbox(child: ChildProcess): void {
  // detached: the sandbox leads its own process group; --die-with-parent and the pid namespace take
  // everything inside down with it.
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Runs `command` with bash inside the sandbox, `workDir` mounted at /home/user. Never throws for the command's own failures. */
export function runSandboxed(
  workDir: string,
  command: string,
  limits: SandboxLimits = DEFAULT_LIMITS,
  /** The bubblewrap executable (tests point it elsewhere to check the error when it is missing). */
  bwrap = "bwrap",
): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bwrap, bwrapArgs(workDir, command, limits), {
      stdio: ["ignore", "pipe", "pipe", ...etcFiles.map(() => "pipe" as const)],
      detached: true,
      ...(runningAsRoot() ? { uid: SANDBOX_HOST_UID, gid: SANDBOX_HOST_UID } : {}),
    });
    for (const file of etcFiles) {
      const pipe = child.stdio[file.fd] as Writable;
      // bwrap gone before it read them (missing binary, killed): its own error says what happened.
      pipe.on("error", () => undefined);
      pipe.end(file.content);
    }
    const chunks: Buffer[] = [];
    let kept = 0;
    let outputLimitHit = false;
    let timedOut = false;
    let bwrapErrors = "";
    const timer = setTimeout(() => {
      timedOut = true;
      killSandbox(child);
    }, limits.wallMs);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (outputLimitHit) return;
      const room = limits.outputBytes - kept;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        kept += room;
        outputLimitHit = true;
        killSandbox(child);
        return;
      }
      chunks.push(chunk);
      kept += chunk.length;
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      if (bwrapErrors.length < 4096) bwrapErrors += chunk.toString("utf8");
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === "ENOENT"
          ? new SandboxUnavailableError(missingBwrapMessage)
          : new SandboxUnavailableError(`could not start bubblewrap: ${error.message}`),
      );
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const durationMs = performance.now() - started;
      // bwrap reports its own setup failures on stderr (the command's stderr goes to stdout).
      if (code !== 0 && bwrapErrors.startsWith("bwrap:") && !timedOut && !outputLimitHit) {
        reject(new SandboxUnavailableError(explainBwrapFailure(bwrapErrors.trim())));
        return;
      }
      resolve({
        output: Buffer.concat(chunks).toString("utf8"),
        exitCode: timedOut || outputLimitHit ? null : code,
        timedOut,
        outputLimitHit,
        durationMs,
      });
    });
  });
}

const missingBwrapMessage =
  "bubblewrap (bwrap) is not installed; the os environment runs every command in a bubblewrap sandbox. " +
  "Install it with `apt-get install bubblewrap` (Debian/Ubuntu) or `dnf install bubblewrap` (Fedora), then retry.";

/** Turns bubblewrap's own error line into what went wrong and how to fix it. */
export function explainBwrapFailure(message: string): string {
  if (/namespace|uid map|unshare|No permissions to create/i.test(message)) {
    return (
      `bubblewrap could not create its sandbox (${message}): user namespaces are unavailable here. ` +
      "Enable them with `sysctl -w kernel.unprivileged_userns_clone=1` (Debian) or " +
      "`sysctl -w user.max_user_namespaces=15000`, or run atune in a container started with " +
      "`--security-opt seccomp=unconfined` (Docker) so bubblewrap may unshare namespaces."
    );
  }
  return `bubblewrap failed to start the sandbox: ${message}`;
}

let probe: Promise<void> | undefined;

/** Checks once per process that the sandbox works; rejects with a SandboxUnavailableError saying how to fix it. */
export function ensureSandbox(): Promise<void> {
  probe ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "atune-sandbox-probe-"));
    handToSandbox(dir);
    const result = await runSandboxed(dir, "echo ok", { ...DEFAULT_LIMITS, wallMs: 10_000 }).finally(() =>
      rmSync(dir, { recursive: true, force: true }),
    );
    if (result.output.trim() !== "ok") {
      throw new SandboxUnavailableError(
        `the bubblewrap sandbox started but did not run a test command (output: ${JSON.stringify(result.output.slice(0, 200))}, exit code ${result.exitCode})`,
      );
    }
  })();
  return probe;
}
