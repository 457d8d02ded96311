/**
 * The os expert: writes the commands a careful person would, runs them, and answers from what they
 * printed. It reads only the task's template and params (what the instruction says), never the goal.
 */
import type { EnvTask, ExpertPolicy, Move } from "../types.ts";
import type { OsTaskData } from "./tasks.ts";

/** The command's output without the trailing "[exit code N]" / "[killed …]" line. */
export function commandOutput(observation: string): string {
  return observation.replace(/\n?\[(exit code -?\d+|killed:[^\]]*)\]\s*$/, "");
}

const quote = (text: string | number) => `'${String(text).replace(/'/g, `'\\''`)}'`;

function lastLine(observation: string): string {
  const lines = commandOutput(observation).trim().split("\n");
  return lines[lines.length - 1]?.trim() ?? "";
}

/** A plan is a list of steps; each sees the previous observation and returns a move. */
type Step = (previous: string) => Move;

function plan(data: OsTaskData): Step[] {
  const p = data.params;
  switch (data.template) {
    case "count-lines":
      return [
        () => ({
          thought: `grep -c counts the lines of ${p.file} that contain ${p.word}.`,
          action: `bash: grep -c -w ${quote(p.word)} ${quote(p.file)}`,
        }),
        (obs) => ({
          thought: `grep counted ${lastLine(obs)} matching lines.`,
          action: `answer: ${lastLine(obs)}`,
        }),
      ];
    case "largest-file":
      return [
        () => ({
          thought: "List the files in data/ with their sizes, sorted so the largest comes last.",
          action: `bash: find ${quote(p.dir)} -maxdepth 1 -type f -printf '%s %f\\n' | sort -n`,
        }),
        (obs) => {
          const name = lastLine(obs).split(" ").slice(1).join(" ");
          return { thought: `The last line is the largest file: ${name}.`, action: `answer: ${name}` };
        },
      ];
    case "csv-sum":
      return [
        () => ({
          thought: `First find which column of ${p.file} is "${p.column}" from the header line.`,
          action: `bash: head -n 1 ${quote(p.file)}`,
        }),
        (obs) => {
          const header = commandOutput(obs).trim().split("\n")[0].split(",");
          const index = header.indexOf(String(p.column)) + 1;
          return {
            thought: `"${p.column}" is column ${index}; sum it with awk, skipping the header.`,
            action: `bash: awk -F, 'NR > 1 { total += $${index} } END { print total }' ${quote(p.file)}`,
          };
        },
        (obs) => ({ thought: `awk printed the total ${lastLine(obs)}.`, action: `answer: ${lastLine(obs)}` }),
      ];
    case "file-owner":
      return [
        () => ({
          thought: `Find the listing line for ${p.name}; the owner is the third field.`,
          action: `bash: grep -F ${quote(` ${p.name}`)} ${quote(p.file)} | awk '{ print $3 }'`,
        }),
        (obs) => ({ thought: `${p.name} is owned by ${lastLine(obs)}.`, action: `answer: ${lastLine(obs)}` }),
      ];
    case "top-owner":
      return [
        () => ({
          thought: "Count files per owner (third field) and sort by count.",
          action: `bash: awk '{ print $3 }' ${quote(p.file)} | sort | uniq -c | sort -n`,
        }),
        (obs) => {
          const owner = lastLine(obs).split(/\s+/)[1];
          return { thought: `${owner} has the most files.`, action: `answer: ${owner}` };
        },
      ];
    case "passwd-uid":
      return [
        () => ({
          thought: `In passwd format the UID is the third colon-separated field; print the name where it is ${p.uid}.`,
          action: `bash: awk -F: '$3 == ${Number(p.uid)} { print $1 }' ${quote(p.file)}`,
        }),
        (obs) => ({
          thought: `UID ${p.uid} belongs to ${lastLine(obs)}.`,
          action: `answer: ${lastLine(obs)}`,
        }),
      ];
    case "count-extension":
      return [
        () => ({
          thought: `find lists every .${p.extension} file under ${p.dir}/ recursively; wc -l counts them.`,
          action: `bash: find ${quote(p.dir)} -type f -name ${quote(`*.${p.extension}`)} | wc -l`,
        }),
        (obs) => ({ thought: `There are ${lastLine(obs)} such files.`, action: `answer: ${lastLine(obs)}` }),
      ];
    case "distinct-ips":
      return [
        () => ({
          thought: "Take the first field of each line, keep the unique values and count them.",
          action: `bash: cut -d' ' -f1 ${quote(p.file)} | sort -u | wc -l`,
        }),
        (obs) => ({ thought: `${lastLine(obs)} distinct addresses.`, action: `answer: ${lastLine(obs)}` }),
      ];
    case "find-codeword":
      return [
        () => ({
          thought: `grep -rl lists the files under ${p.dir}/ that contain ${p.word}.`,
          action: `bash: grep -rlw ${quote(p.word)} ${quote(p.dir)}`,
        }),
        (obs) => ({ thought: `The word is in ${lastLine(obs)}.`, action: `answer: ${lastLine(obs)}` }),
      ];
    case "create-file":
      return [
        () => ({
          thought: `Create out/ if needed and write the line into ${p.path}.`,
          action: `bash: mkdir -p "$(dirname ${quote(p.path)})" && printf '%s\\n' ${quote(p.line)} > ${quote(p.path)}`,
        }),
        () => ({ thought: "Check the file's content.", action: `bash: cat ${quote(p.path)}` }),
        () => ({ thought: "The file holds the requested line.", action: "finish" }),
      ];
    case "rename-file":
      return [
        () => ({
          thought: `mv renames ${p.from} to ${p.to}.`,
          action: `bash: mv ${quote(p.from)} ${quote(p.to)}`,
        }),
        () => ({
          thought: "Confirm the new name is there.",
          action: `bash: ls -l "$(dirname ${quote(p.to)})"`,
        }),
        () => ({ thought: "The file has its new name.", action: "finish" }),
      ];
    case "move-logs":
      return [
        () => ({ thought: `See what ${p.from}/ holds first.`, action: `bash: ls ${quote(p.from)}` }),
        (obs) => {
          const logs = commandOutput(obs)
            .split(/\s+/)
            .filter((name) => name.endsWith(`.${p.extension}`));
          return {
            thought: `Move the ${logs.length} .${p.extension} file(s) into ${p.to}/, creating it first.`,
            action: `bash: mkdir -p ${quote(p.to)} && mv ${logs.map((name) => quote(`${p.from}/${name}`)).join(" ")} ${quote(`${p.to}/`)}`,
          };
        },
        () => ({ thought: "Check both folders.", action: `bash: ls ${quote(p.from)} ${quote(p.to)}` }),
        () => ({ thought: `Only the .${p.extension} files moved.`, action: "finish" }),
      ];
    case "change-mode":
      return [
        () => ({
          thought: `chmod ${p.mode} sets the permission bits.`,
          action: `bash: chmod ${p.mode} ${quote(p.path)}`,
        }),
        () => ({ thought: "Check the new mode.", action: `bash: stat -c '%a %n' ${quote(p.path)}` }),
        () => ({ thought: `The mode is ${p.mode} now.`, action: "finish" }),
      ];
    case "delete-temp":
      return [
        () => ({
          thought: `Delete only the *.${p.extension} files in ${p.dir}/.`,
          action: `bash: find ${quote(p.dir)} -maxdepth 1 -type f -name ${quote(`*.${p.extension}`)} -delete`,
        }),
        () => ({ thought: "Check what is left.", action: `bash: ls ${quote(p.dir)}` }),
        () => ({ thought: `No .${p.extension} files remain; the others are untouched.`, action: "finish" }),
      ];
    case "write-line-count":
      return [
        () => ({ thought: `Count the lines of ${p.file} first.`, action: `bash: wc -l < ${quote(p.file)}` }),
        (obs) => ({
          thought: `It has ${lastLine(obs)} lines; write that number into ${p.target}.`,
          action: `bash: echo ${Number(lastLine(obs))} > ${quote(p.target)}`,
        }),
        () => ({ thought: "The count is written.", action: "finish" }),
      ];
  }
}

export function osExpert(task: EnvTask): ExpertPolicy {
  const steps = plan(task.data as OsTaskData);
  let index = 0;
  return {
    next(observation: string): Move {
      const step = steps[Math.min(index, steps.length - 1)];
      index++;
      return step(observation);
    },
  };
}
