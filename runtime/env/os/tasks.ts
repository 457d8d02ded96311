/**
 * Procedural os tasks: a seeded home directory plus a question (answered with `answer:`) or a goal
 * state (checked after `finish`). Each template draws names, sizes and contents from the Rng, so a
 * few hundred thousand distinct tasks exist; the expert sees only `template` and `params`, which
 * restate what the instruction says — never the answer.
 */
import type { Rng } from "../sandbox/random.ts";

export interface SeedFile {
  /** Relative to the home directory. */
  path: string;
  content: string;
  /** Octal permission bits; 0o644 when absent. */
  mode?: number;
}

export type FileCheck =
  | { type: "content"; path: string; content: string }
  | { type: "absent"; path: string }
  | { type: "mode"; path: string; mode: number };

export type OsGoal =
  | { kind: "question"; answer: string; answerType: "number" | "text" }
  | { kind: "end-state"; checks: FileCheck[] };

export interface OsTaskData {
  template: OsTemplate;
  /** What the instruction names (files, words, columns): the expert's only input besides observations. */
  params: Record<string, string | number>;
  files: SeedFile[];
  goal: OsGoal;
}

export interface OsCandidate {
  instruction: string;
  data: OsTaskData;
}

const words = [
  "alpha",
  "bravo",
  "cedar",
  "delta",
  "ember",
  "falcon",
  "garnet",
  "harbor",
  "iris",
  "juniper",
  "kestrel",
  "lumen",
  "maple",
  "nectar",
  "onyx",
  "pepper",
  "quartz",
  "raven",
  "sierra",
  "tundra",
  "umber",
  "violet",
  "willow",
  "xenon",
  "yarrow",
  "zephyr",
  "basil",
  "comet",
  "dune",
  "fjord",
];
const users = [
  "alice",
  "bob",
  "carol",
  "dave",
  "erin",
  "frank",
  "grace",
  "heidi",
  "ivan",
  "judy",
  "mallory",
  "oscar",
];
const levels = ["INFO", "WARN", "ERROR", "DEBUG"];
const regions = ["north", "south", "east", "west"];

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function logFile(rng: Rng, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const time = `2024-0${rng.int(1, 9)}-${pad(rng.int(1, 28))} ${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}`;
    out.push(`${time} ${rng.pick(levels)} ${rng.pick(words)}-service handled request ${rng.int(100, 999)}`);
  }
  return `${out.join("\n")}\n`;
}

function randomText(rng: Rng, wordCount: number): string {
  return Array.from({ length: wordCount }, () => rng.pick(words)).join(" ");
}

function countLines(rng: Rng): OsCandidate {
  const file = `logs/${rng.pick(words)}.log`;
  const content = logFile(rng, rng.int(15, 60));
  const level = rng.pick(levels);
  const count = content.split("\n").filter((line) => line.split(" ").includes(level)).length;
  return {
    instruction: `How many lines of ${file} contain the word ${level}? Answer with a number.`,
    data: {
      template: "count-lines",
      params: { file, word: level },
      files: [
        { path: file, content },
        { path: "logs/README", content: "service logs, one event per line\n" },
      ],
      goal: { kind: "question", answer: String(count), answerType: "number" },
    },
  };
}

function largestFile(rng: Rng): OsCandidate {
  const names = rng.sample(words, rng.int(4, 8));
  const sizes = rng.sample(
    Array.from({ length: 400 }, (_, i) => 20 + i * 7),
    names.length,
  );
  const files = names.map((name, i) => ({ path: `data/${name}.bin`, content: "x".repeat(sizes[i]) }));
  const largest = files[sizes.indexOf(Math.max(...sizes))];
  return {
    instruction: "Which file in data/ is the largest (in bytes)? Answer with the file name only.",
    data: {
      template: "largest-file",
      params: { dir: "data" },
      files,
      goal: { kind: "question", answer: largest.path.slice("data/".length), answerType: "text" },
    },
  };
}

function csvSum(rng: Rng): OsCandidate {
  const columns = rng.shuffle(["id", "region", "product", "amount", "quantity"]);
  const target = rng.pick(["amount", "quantity"]);
  const rows: string[] = [columns.join(",")];
  let sum = 0;
  const count = rng.int(8, 30);
  for (let i = 0; i < count; i++) {
    const row: Record<string, string | number> = {
      id: i + 1,
      region: rng.pick(regions),
      product: rng.pick(words),
      amount: rng.int(1, 500),
      quantity: rng.int(1, 40),
    };
    sum += row[target] as number;
    rows.push(columns.map((c) => row[c]).join(","));
  }
  const file = `reports/${rng.pick(words)}_sales.csv`;
  return {
    instruction: `What is the sum of the "${target}" column in ${file}? Answer with a number.`,
    data: {
      template: "csv-sum",
      params: { file, column: target },
      files: [{ path: file, content: `${rows.join("\n")}\n` }],
      goal: { kind: "question", answer: String(sum), answerType: "number" },
    },
  };
}

function lsLine(rng: Rng, owner: string, name: string): string {
  const day = pad(rng.int(1, 28));
  return `-rw-r--r-- 1 ${owner} staff ${rng.int(100, 99999)} Mar ${day} 10:${pad(rng.int(0, 59))} ${name}`;
}

function fileOwner(rng: Rng): OsCandidate {
  const names = rng.sample(words, rng.int(5, 12)).map((w) => `${w}.${rng.pick(["txt", "pdf", "csv"])}`);
  const owners = names.map(() => rng.pick(users));
  const index = rng.int(0, names.length - 1);
  const listing = names.map((name, i) => lsLine(rng, owners[i], name)).join("\n");
  return {
    instruction: `listing.txt holds an \`ls -l\` listing of a shared folder. Which user owns the file ${names[index]}? Answer with the user name.`,
    data: {
      template: "file-owner",
      params: { file: "listing.txt", name: names[index] },
      files: [{ path: "listing.txt", content: `${listing}\n` }],
      goal: { kind: "question", answer: owners[index], answerType: "text" },
    },
  };
}

function topOwner(rng: Rng): OsCandidate {
  const owners = rng.sample(users, rng.int(3, 5));
  const counts = rng.sample([1, 2, 3, 4, 5, 6, 7], owners.length);
  const lines: string[] = [];
  const names = rng.shuffle(words);
  let next = 0;
  owners.forEach((owner, i) => {
    for (let k = 0; k < counts[i]; k++)
      lines.push(lsLine(rng, owner, `${names[next++ % names.length]}_${k}.dat`));
  });
  const top = owners[counts.indexOf(Math.max(...counts))];
  return {
    instruction:
      "listing.txt holds an `ls -l` listing. Which user owns the most files in it? Answer with the user name.",
    data: {
      template: "top-owner",
      params: { file: "listing.txt" },
      files: [{ path: "listing.txt", content: `${rng.shuffle(lines).join("\n")}\n` }],
      goal: { kind: "question", answer: top, answerType: "text" },
    },
  };
}

function passwdUid(rng: Rng): OsCandidate {
  const chosen = rng.sample(users, rng.int(4, 9));
  const uids = rng.sample(
    Array.from({ length: 200 }, (_, i) => 1001 + i),
    chosen.length,
  );
  const lines = chosen.map(
    (user, i) =>
      `${user}:x:${uids[i]}:${uids[i]}:${user}:/home/${user}:${rng.pick(["/bin/bash", "/bin/sh"])}`,
  );
  const index = rng.int(0, chosen.length - 1);
  return {
    instruction: `The file accounts/passwd in your home directory uses the /etc/passwd format. Which user has UID ${uids[index]}? Answer with the user name.`,
    data: {
      template: "passwd-uid",
      params: { file: "accounts/passwd", uid: uids[index] },
      files: [{ path: "accounts/passwd", content: `${lines.join("\n")}\n` }],
      goal: { kind: "question", answer: chosen[index], answerType: "text" },
    },
  };
}

function countExtension(rng: Rng): OsCandidate {
  const extensions = ["txt", "md", "py", "json", "csv"];
  const target = rng.pick(extensions);
  const dirs = ["project", "project/src", "project/docs", `project/src/${rng.pick(words)}`];
  const files: SeedFile[] = [];
  const fileCount = rng.int(6, 20);
  for (let i = 0; i < fileCount; i++) {
    files.push({
      path: `${rng.pick(dirs)}/${rng.pick(words)}_${i}.${rng.pick(extensions)}`,
      content: `${i}\n`,
    });
  }
  const count = files.filter((f) => f.path.endsWith(`.${target}`)).length;
  return {
    instruction: `How many files with the extension .${target} are there under project/, subdirectories included? Answer with a number.`,
    data: {
      template: "count-extension",
      params: { dir: "project", extension: target },
      files,
      goal: { kind: "question", answer: String(count), answerType: "number" },
    },
  };
}

function distinctIps(rng: Rng): OsCandidate {
  const pool = Array.from(
    { length: rng.int(3, 12) },
    () => `10.${rng.int(0, 9)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
  );
  const lines = Array.from(
    { length: rng.int(10, 40) },
    () => `${rng.pick(pool)} - - "GET /${rng.pick(words)} HTTP/1.1" ${rng.pick([200, 404, 500])}`,
  );
  const distinct = new Set(lines.map((line) => line.split(" ")[0])).size;
  return {
    instruction:
      "How many distinct client IP addresses (the first field) appear in web/access.log? Answer with a number.",
    data: {
      template: "distinct-ips",
      params: { file: "web/access.log" },
      files: [{ path: "web/access.log", content: `${lines.join("\n")}\n` }],
      goal: { kind: "question", answer: String(distinct), answerType: "number" },
    },
  };
}

function findCodeword(rng: Rng): OsCandidate {
  const codeword = `${rng.pick(words).toUpperCase()}${rng.int(10, 99)}`;
  const names = rng.sample(words, rng.int(4, 9));
  const holder = rng.int(0, names.length - 1);
  const files = names.map((name, i) => {
    const dir = i % 2 === 0 ? "notes" : "notes/old";
    const text = randomText(rng, rng.int(10, 30));
    return {
      path: `${dir}/${name}.txt`,
      content: i === holder ? `${text} ${codeword} ${text}\n` : `${text}\n`,
    };
  });
  return {
    instruction: `Exactly one file under notes/ (subdirectories included) contains the word ${codeword}. Which one? Answer with its path relative to your home directory, e.g. notes/x.txt.`,
    data: {
      template: "find-codeword",
      params: { dir: "notes", word: codeword },
      files,
      goal: { kind: "question", answer: files[holder].path, answerType: "text" },
    },
  };
}

function createFile(rng: Rng): OsCandidate {
  const path = `out/${rng.pick(words)}.txt`;
  const line = `${randomText(rng, rng.int(2, 5))} ${rng.int(1, 999)}`;
  return {
    instruction: `Create the file ${path} containing exactly this one line: ${line}`,
    data: {
      template: "create-file",
      params: { path, line },
      files: [{ path: "README.txt", content: "put generated files in out/\n" }],
      goal: { kind: "end-state", checks: [{ type: "content", path, content: `${line}\n` }] },
    },
  };
}

function renameFile(rng: Rng): OsCandidate {
  const [from, to] = rng.sample(words, 2);
  const content = `${randomText(rng, rng.int(5, 15))}\n`;
  return {
    instruction: `Rename drafts/${from}.md to drafts/${to}.md.`,
    data: {
      template: "rename-file",
      params: { from: `drafts/${from}.md`, to: `drafts/${to}.md` },
      files: [{ path: `drafts/${from}.md`, content }],
      goal: {
        kind: "end-state",
        checks: [
          { type: "absent", path: `drafts/${from}.md` },
          { type: "content", path: `drafts/${to}.md`, content },
        ],
      },
    },
  };
}

function moveLogs(rng: Rng): OsCandidate {
  const names = rng.sample(words, rng.int(3, 8));
  const files = names.map((name) => ({
    path: `inbox/${name}.${rng.pick(["log", "log", "txt"])}`,
    content: `${randomText(rng, 4)}\n`,
  }));
  if (!files.some((f) => f.path.endsWith(".log"))) files[0].path = files[0].path.replace(/\.txt$/, ".log");
  const checks: FileCheck[] = files.flatMap((f): FileCheck[] =>
    f.path.endsWith(".log")
      ? [
          { type: "absent", path: f.path },
          { type: "content", path: f.path.replace("inbox/", "archive/"), content: f.content },
        ]
      : [{ type: "content", path: f.path, content: f.content }],
  );
  return {
    instruction:
      "Move every .log file from inbox/ into archive/ (create archive/ if needed). Leave the other files in inbox/.",
    data: {
      template: "move-logs",
      params: { from: "inbox", to: "archive", extension: "log" },
      files,
      goal: { kind: "end-state", checks },
    },
  };
}

function changeMode(rng: Rng): OsCandidate {
  const path = `bin/${rng.pick(words)}.sh`;
  const mode = rng.pick([0o700, 0o750, 0o755, 0o740, 0o711, 0o600, 0o640]);
  const octal = mode.toString(8);
  return {
    instruction: `Set the permissions of ${path} to ${octal} (octal).`,
    data: {
      template: "change-mode",
      params: { path, mode: octal },
      files: [{ path, content: "#!/bin/sh\necho hello\n", mode: 0o644 }],
      goal: { kind: "end-state", checks: [{ type: "mode", path, mode }] },
    },
  };
}

function deleteTemp(rng: Rng): OsCandidate {
  const names = rng.sample(words, rng.int(3, 9));
  const files = names.map((name) => ({
    path: `cache/${name}.${rng.pick(["tmp", "tmp", "dat"])}`,
    content: `${name}\n`,
  }));
  if (!files.some((f) => f.path.endsWith(".tmp"))) files[0].path = files[0].path.replace(/\.dat$/, ".tmp");
  return {
    instruction: "Delete every file in cache/ whose name ends in .tmp; keep the other files.",
    data: {
      template: "delete-temp",
      params: { dir: "cache", extension: "tmp" },
      files,
      goal: {
        kind: "end-state",
        checks: files.map(
          (f): FileCheck =>
            f.path.endsWith(".tmp")
              ? { type: "absent", path: f.path }
              : { type: "content", path: f.path, content: f.content },
        ),
      },
    },
  };
}

function writeLineCount(rng: Rng): OsCandidate {
  const file = `data/${rng.pick(words)}.txt`;
  const lines = rng.int(3, 80);
  const content = `${Array.from({ length: lines }, () => randomText(rng, 3)).join("\n")}\n`;
  return {
    instruction: `Write the number of lines in ${file} into the file count.txt (just the number, on one line).`,
    data: {
      template: "write-line-count",
      params: { file, target: "count.txt" },
      files: [{ path: file, content }],
      goal: { kind: "end-state", checks: [{ type: "content", path: "count.txt", content: `${lines}\n` }] },
    },
  };
}

export const osTemplates = {
  "count-lines": countLines,
  "largest-file": largestFile,
  "csv-sum": csvSum,
  "file-owner": fileOwner,
  "top-owner": topOwner,
  "passwd-uid": passwdUid,
  "count-extension": countExtension,
  "distinct-ips": distinctIps,
  "find-codeword": findCodeword,
  "create-file": createFile,
  "rename-file": renameFile,
  "move-logs": moveLogs,
  "change-mode": changeMode,
  "delete-temp": deleteTemp,
  "write-line-count": writeLineCount,
} satisfies Record<string, (rng: Rng) => OsCandidate>;

export type OsTemplate = keyof typeof osTemplates;
export const osTemplateNames = Object.keys(osTemplates) as OsTemplate[];
