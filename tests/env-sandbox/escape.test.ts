/**
 * Model-written commands and statements that try to get out: every one must be contained and come
 * back as the episode's observation, within its time limit, leaving nothing behind on the host.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedSqlHost } from "../../runtime/env/db/host.ts";
import { dbEnv, dbTasks } from "../../runtime/env/db/index.ts";
import { referenceBytes } from "../../runtime/env/db/reference.ts";
import type { DbTaskData } from "../../runtime/env/db/tasks.ts";
import { osEnv, osTasks } from "../../runtime/env/os/index.ts";
import type { Episode } from "../../runtime/env/types.ts";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const marker = `atune-escape-${process.pid}`;

/** Host processes whose command line contains `text` (the sandbox must leave none behind). */
function hostProcessesWith(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmdline.includes(text) && !cmdline.includes("vitest")) found.push(`${pid}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

describe("os sandbox escape attempts", () => {
  let episode: Episode;
  const timeoutMs = 1500;

  beforeAll(async () => {
    const [task] = osTasks({ split: "train", count: 1, seed: 1, options: { commandTimeoutMs: timeoutMs } });
    episode = await osEnv.open(task);
    await episode.reset();
  });
  afterAll(() => episode.close());

  const run = async (command: string) => {
    const started = performance.now();
    const result = await episode.step(`bash: ${command}`);
    expect(result.done).toBe(false);
    expect(result.info.valid).toBe(true);
    // Never past the timeout (plus slack for starting and tearing down the sandbox on a busy machine).
    expect(performance.now() - started).toBeLessThan(timeoutMs + 5000);
    return result.observation;
  };

  it("cannot read host files: /etc/shadow, /root, /work, the repository", async () => {
    expect(await run("cat /etc/shadow")).toMatch(/No such file or directory[\s\S]*\[exit code 1\]$/);
    expect(await run("ls /root /work /home/user/..")).toMatch(
      /cannot access '\/root'[\s\S]*cannot access '\/work'/,
    );
    expect(await run(`cat ${repoRoot}package.json`)).toMatch(/No such file or directory/);
    expect(await run("ls /tmp")).toBe("[exit code 0]");
    // /etc is synthetic: the host's accounts are not visible.
    expect(await run("cat /etc/passwd")).toBe(
      "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000:user:/home/user:/bin/bash\n[exit code 0]",
    );
  });

  it("cannot write outside its home directory", async () => {
    expect(await run("touch /usr/evil")).toMatch(/Read-only file system/);
    expect(await run("echo x > /etc/evil")).toMatch(/Read-only file system|Permission denied/);
    expect(await run("echo x > ../evil")).toMatch(/Read-only file system|Permission denied/);
    // /tmp inside is a private tmpfs: the file never reaches the host's /tmp.
    expect(await run(`echo x > /tmp/${marker} && cat /tmp/${marker}`)).toBe("x\n[exit code 0]");
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });

  it("has no network: /dev/tcp and curl fail, and a host server sees no connection", async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const tcp = await run(`echo hello > /dev/tcp/127.0.0.1/${port}`);
      expect(tcp).toMatch(/Connection refused|Network is unreachable/);
      expect(tcp).toMatch(/\[exit code 1\]$/);
      const curl = await run(`curl -sS -m 2 http://127.0.0.1:${port}/ || echo curl-failed`);
      expect(curl).toMatch(/curl-failed|command not found/);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it("stops a fork bomb, an endless loop and a background process, leaving nothing behind", async () => {
    expect(await run(":(){ :|:& };:; sleep 30")).toMatch(
      /\[killed: the command ran longer than the 1.5 s time limit\]$/,
    );
    expect(await run("while :; do :; done")).toMatch(/\[killed: the command ran longer than/);
    await run(`setsid sh -c 'sleep 600; echo ${marker}' > /dev/null 2>&1 &`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hostProcessesWith("sleep 600")).toEqual([]);
    // The sandbox still works afterwards.
    expect(await run("echo alive")).toBe("alive\n[exit code 0]");
  });

  it("cuts a flood of output and refuses huge files and huge memory", async () => {
    const flood = await run("yes");
    expect(flood).toMatch(/\[output truncated: showing the first 2000 of \d+\+ characters\]/);
    expect(flood).toMatch(/\[killed: the command printed more than \d+ bytes\]$/);
    expect(await run("head -c 50000000 /dev/zero > big.bin; echo status=$?")).toMatch(
      /status=(153|1)\b|File size limit exceeded/,
    );
    // 1.5 GB in one process is past the 1 GB address-space limit.
    expect(await run(`perl -e '$x = "a" x 1500000000; print length($x)'`)).toMatch(/Out of memory/);
  });
});

describe("os judge on a hostile home directory", () => {
  const finishAfter = async (template: string, command: string) => {
    const [task] = osTasks({ split: "train", count: 1, seed: 2, options: { templates: [template] } });
    const episode = await osEnv.open(task);
    await episode.reset();
    await episode.step(`bash: ${command}`);
    const result = await episode.step("finish");
    await episode.close();
    return result;
  };

  it("does not follow a goal file that links to /dev/zero (it would never finish reading)", async () => {
    const result = await finishAfter("write-line-count", "ln -s /dev/zero count.txt");
    expect(result).toMatchObject({ reward: 0, done: true });
    expect(result.observation).toBe(
      "The task is not done: count.txt is not a regular file inside the home directory.",
    );
  });

  it("does not follow a directory link out of the home directory", async () => {
    const result = await finishAfter("create-file", "rm -rf out; ln -s /etc out");
    expect(result.reward).toBe(0);
    expect(result.observation).toMatch(/is (missing|not a regular file inside the home directory)\.$/);
  });
});

describe("db escape attempts", () => {
  let episode: Episode;
  let data: DbTaskData;
  const timeoutMs = 500;

  beforeAll(async () => {
    const [task] = dbTasks({
      split: "train",
      count: 1,
      seed: 3,
      options: { domains: ["company"], kinds: ["select"], statementTimeoutMs: timeoutMs },
    });
    data = task.data as DbTaskData;
    episode = await dbEnv.open(task);
    await episode.reset();
  });
  afterAll(async () => {
    await episode.close();
    sharedSqlHost().stop();
  });

  const sql = async (statement: string) => (await episode.step(`sql: ${statement}`)).observation;

  it("refuses ATTACH, however it is spelled, and creates no file", async () => {
    expect(await sql(`ATTACH DATABASE '/tmp/${marker}.db' AS other`)).toMatch(
      /^Error: ATTACH is not allowed/,
    );
    expect(await sql(`/* hi */ attach/**/'/tmp/${marker}.db' as other`)).toMatch(
      /^Error: ATTACH is not allowed/,
    );
    expect(existsSync(`/tmp/${marker}.db`)).toBe(false);
    expect(await sql(`VACUUM INTO '/tmp/${marker}.db'`)).toMatch(/^Error: VACUUM is not allowed/);
    expect(existsSync(`/tmp/${marker}.db`)).toBe(false);
  });

  it("refuses extension loading and writing PRAGMAs", async () => {
    expect(await sql("SELECT load_extension('/usr/lib/x86_64-linux-gnu/libz.so')")).toMatch(
      /^Error: loading SQLite extensions/,
    );
    expect(await sql("SELECT LOAD_EXTENSION /* x */ ('x')")).toMatch(/^Error: loading SQLite extensions/);
    expect(await sql("PRAGMA writable_schema = ON")).toMatch(/^Error: PRAGMA writable_schema is not allowed/);
    expect(await sql("PRAGMA table_info(employees)")).toMatch(/^cid \| name/);
    // Strings and quoted names are not keywords: these run.
    expect(await sql("SELECT 'attach' AS \"vacuum\"")).toBe("vacuum\n------\nattach\n(1 row)");
  });

  it("stops an endless recursive CTE and a huge cross join, keeping earlier changes", async () => {
    expect(await sql("DELETE FROM employees WHERE id = 1")).toBe("OK: 1 row changed.");
    const started = performance.now();
    const endless = await sql(
      "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
    );
    expect(endless).toBe(
      `Error: the statement ran longer than ${timeoutMs} ms and was stopped; the database is as it was before it.`,
    );
    const join = await sql(
      // Hundreds of millions of rows: far past the timeout on any machine.
      "SELECT count(*) FROM employees a, employees b, employees c, employees d, employees e, employees f, employees g, employees h, employees i",
    );
    expect(join).toMatch(/^Error: the statement ran longer than/);
    expect(performance.now() - started).toBeLessThan(2 * timeoutMs + 8000);
    // A huge result streams: the first rows are shown at once, the rest counted as "more".
    const many = await sql(
      "SELECT a.id FROM employees a, employees b, employees c, employees d, employees e",
    );
    expect(many).toMatch(/\(showing the first 50 rows; there are more\)$/);
    // The episode goes on, with the delete from before the runaway statements still applied.
    expect(await sql("SELECT COUNT(*) AS n FROM employees WHERE id = 1")).toBe("n\n---\n0\n(1 row)");
  });

  it("undoes a statement that would grow the database past its size limit", async () => {
    const roomy = await dbEnv.open({
      id: "db/escape-size",
      family: "db",
      split: "train",
      instruction: "",
      data: { ...data, limits: { statementTimeoutMs: 20_000 } },
    });
    await roomy.reset();
    const grow = await roomy.step(
      "sql: CREATE TABLE big AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 150000) SELECT randomblob(500) AS b FROM n",
    );
    expect(grow.observation).toMatch(
      /^Error: the database would grow to \d+ MB, past the 64 MB limit, so the statement was undone$/,
    );
    expect(
      (await roomy.step("sql: SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'big'")).observation,
    ).toBe("n\n---\n0\n(1 row)");
    await roomy.close();
  });

  it("reports a worker that dies under a statement as that statement's error, and goes on", async () => {
    const patient = await dbEnv.open({
      id: "db/escape-crash",
      family: "db",
      split: "train",
      instruction: "",
      data: { ...data, limits: { statementTimeoutMs: 30_000 } },
    });
    await patient.reset();
    await patient.step("sql: SELECT 1"); // make sure a worker runs
    const pid = sharedSqlHost().pid!;
    const endless = patient.step(
      "sql: WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n",
    );
    setTimeout(() => process.kill(pid, "SIGKILL"), 300);
    expect((await endless).observation).toBe(
      "Error: the SQL worker stopped unexpectedly (SIGKILL) while running this statement; the database is as it was before it",
    );
    expect((await patient.step("sql: SELECT 2 AS two")).observation).toBe("two\n---\n2\n(1 row)");
    await patient.close();
  });

  it("never writes to the reference database", async () => {
    const before = Buffer.from(referenceBytes(data)).toString("base64");
    await sql("DROP TABLE employees");
    await sql("UPDATE departments SET name = 'pwned'");
    expect(Buffer.from(referenceBytes(data)).toString("base64")).toBe(before);
    const fresh = await dbEnv.open({ id: "db/escape", family: "db", split: "train", instruction: "", data });
    await fresh.reset();
    expect(
      (await fresh.step("sql: SELECT COUNT(*) AS n FROM departments WHERE name = 'pwned'")).observation,
    ).toBe("n\n---\n0\n(1 row)");
    await fresh.close();
  });
});
